using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Proxy.Tests.Protocols.TlsHello;

namespace Proxy.Tests.Integration;

/// <summary>sni_proxy: TLS routed by SNI, plain HTTP by Host, and what it does with bad first bytes.</summary>
[Collection(NodeCollection.Name)]
public sealed class SniProxyTests : IDisposable
{
    private readonly TestCertificates _certs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("g3a-sni-").FullName;

    public void Dispose()
    {
        _certs.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>a.test and b.test redirected to their own loopback backends; any other name refused.</summary>
    private static Task<ProxyUnderTest> StartAsync(int portA, int portB, string extra = "") =>
        ProxyUnderTest.StartAsync(StreamServerTests.WithServers($"""
              - name: sni
                type: sni_proxy
                escaper: direct
                listen: 127.0.0.1:0
                request_wait_timeout: 2s
                request_recv_timeout: 2s
            {extra}
                allowed_hosts:
                  - exact_match: a.test
                    redirect_host: 127.0.0.1
                    redirect_port: {portA}
                  - child_match: b.test
                    redirect_host: 127.0.0.1
                    redirect_port: {portB}
            """));

    private Task<(int Code, string Stdout, string Stderr)> Curl(string args)
    {
        var ca = Path.Combine(_dir, "ca.pem");
        File.WriteAllText(ca, _certs.CaPem);
        return HttpForwardTests.RunAsync("curl", $"-sS --max-time 20 --cacert {ca} " + args, 60_000);
    }

    [Fact]
    public async Task TwoNames_GoToTwoOrigins_EachWithItsOwnCertificate()
    {
        await using var a = new IdBackend("origin-a", IdBackend.Certificate(_certs, "a.test"), http: true);
        await using var b = new IdBackend("origin-b", IdBackend.Certificate(_certs, "www.b.test"), http: true);
        await using var proxy = await StartAsync(a.Port, b.Port);
        var port = proxy.Endpoint("sni").Port;

        var (code, body, err) = await Curl($"--resolve a.test:{port}:127.0.0.1 https://a.test:{port}/");
        Assert.True(code == 0, err);
        Assert.Equal("origin-a", body);
        (code, body, err) = await Curl($"--resolve www.b.test:{port}:127.0.0.1 https://www.b.test:{port}/");
        Assert.True(code == 0, err);
        Assert.Equal("origin-b", body);
        Assert.Equal("www.b.test", b.LastSni);

        // A name outside allowed_hosts: refused, with the reason in the task log.
        (code, _, _) = await Curl($"--resolve c.test:{port}:127.0.0.1 https://c.test:{port}/");
        Assert.NotEqual(0, code);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("reason=ForbiddenByRule")));
        Assert.Contains("upstream=c.test:" + port, log);
    }

    [Fact]
    public async Task PlainHttp_IsRoutedByItsHostHeader()
    {
        await using var a = new IdBackend("plain-a", http: true);
        await using var b = new IdBackend("plain-b", http: true);
        await using var proxy = await StartAsync(a.Port, b.Port);
        var port = proxy.Endpoint("sni").Port;
        var (code, body, err) = await Curl($"--resolve x.b.test:{port}:127.0.0.1 http://x.b.test:{port}/path");
        Assert.True(code == 0, err);
        Assert.Equal("plain-b", body);
        Assert.StartsWith("GET /path HTTP/1.1", b.LastRequestHead);
        Assert.Contains($"Host: x.b.test:{port}", b.LastRequestHead);
    }

    [Fact]
    public async Task OwnProtocolInspection_ItsHttpUriLimit_DecidesWhatIsRecognisedAsHttp()
    {
        await using var a = new IdBackend("short-a", http: true);
        await using var proxy = await StartAsync(a.Port, a.Port, "    protocol_inspection: { data0_size_limit: { http_request_uri: 32 } }");
        var port = proxy.Endpoint("sni").Port;

        var (code, body, err) = await Curl($"--resolve a.test:{port}:127.0.0.1 http://a.test:{port}/short");
        Assert.True(code == 0, err);
        Assert.Equal("short-a", body);
        (code, _, _) = await Curl($"--resolve a.test:{port}:127.0.0.1 http://a.test:{port}/{new string('x', 64)}");

        Assert.NotEqual(0, code);
        var refused = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("reason=InvalidClientProtocol")));
        Assert.Contains("unsupported client protocol", refused);
    }

    [Fact]
    public async Task ClientHello_InOneByteSegments_IsStillRouted()
    {
        await using var a = new IdBackend("drip-a", IdBackend.Certificate(_certs, "a.test"));
        await using var proxy = await StartAsync(a.Port, a.Port);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(proxy.Endpoint("sni"));
        var drip = new DripStream(client.GetStream());
        await using var ssl = new SslStream(drip, false, (_, _, _, errors) => errors == SslPolicyErrors.None || errors == SslPolicyErrors.RemoteCertificateChainErrors);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "a.test" }, cts.Token);
        Assert.True(drip.Writes > 100, $"the hello went out in {drip.Writes} writes");
        var buf = new byte[64];
        var n = await ssl.ReadAsync(buf, cts.Token);
        Assert.Equal("drip-a\n", Encoding.ASCII.GetString(buf, 0, n));
    }

    [Fact]
    public async Task BadFirstBytes_EndCleanly_WithAReason_AndTheServerKeepsServing()
    {
        await using var a = new IdBackend("after", http: true);
        await using var proxy = await StartAsync(a.Port, a.Port);
        var ep = proxy.Endpoint("sni");

        // Random bytes that start like a TLS handshake record.
        var random = RandomNumberGenerator.GetBytes(600);
        random[0] = 0x16; random[1] = 0x03; random[2] = 0x01; random[3] = 0x02; random[4] = 0x00; random[5] = 0x01;
        Assert.Equal("", await SendAsync(ep, random));
        // Random bytes that are neither TLS nor HTTP.
        Assert.Equal("", await SendAsync(ep, [0x00, .. RandomNumberGenerator.GetBytes(100), (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n']));
        // An SNI of 300 bytes.
        Assert.Equal("", await SendAsync(ep, HelloBytes.Records(HelloBytes.Message([HelloBytes.Sni(new string('a', 300))]))));
        // A hello without SNI, and plain HTTP without Host.
        Assert.Equal("", await SendAsync(ep, HelloBytes.Records(HelloBytes.Message(null))));
        Assert.Equal("", await SendAsync(ep, "GET / HTTP/1.0\r\n\r\n"u8.ToArray()));
        var invalid = await proxy.WaitForLogAsync(l => l.Contains("reason=InvalidClientProtocol"), count: 5);
        Assert.Equal(5, invalid.Length);
        Assert.Contains(invalid, l => l.Contains("no SNI"));
        Assert.Contains(invalid, l => l.Contains("Host"));

        // A client that sends nothing: request_wait_timeout ends it.
        using (var idle = new TcpClient())
        {
            await idle.ConnectAsync(ep);
            var timeout = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("reason=ClientAppTimeout"), timeoutMs: 10_000));
            Assert.Contains("wait client request", timeout);
            Assert.Equal(0, await idle.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        }

        // Still serving.
        var (code, body, err) = await Curl($"--resolve a.test:{ep.Port}:127.0.0.1 http://a.test:{ep.Port}/");
        Assert.True(code == 0, err);
        Assert.Equal("after", body);
    }

    /// <summary>Sends bytes, half-closes, and returns whatever comes back before the server closes.</summary>
    private static async Task<string> SendAsync(System.Net.IPEndPoint ep, byte[] bytes)
    {
        using var client = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(ep, cts.Token);
        await client.GetStream().WriteAsync(bytes, cts.Token);
        var all = new MemoryStream();
        try { await client.GetStream().CopyToAsync(all, cts.Token); }
        catch (IOException) { /* a reset is a clean refusal too */ }
        return Encoding.ASCII.GetString(all.ToArray());
    }

    /// <summary>Writes every byte as its own segment (with NoDelay on the socket).</summary>
    private sealed class DripStream(NetworkStream inner) : Stream
    {
        public int Writes { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++, Writes++) inner.Write(buffer, offset + i, 1);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                await inner.WriteAsync(buffer.Slice(i, 1), ct);
                Writes++;
                // A pause per byte so the segments do not coalesce in the kernel.
                if (i % 16 == 0) await Task.Yield();
            }
        }
    }
}
