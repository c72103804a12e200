using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Tests.Integration;

[Collection(NodeCollection.Name)]
public sealed class HttpForwardTests
{
    [Fact]
    public async Task Get_ThroughProxy_ReturnsOriginBody_AndLogsTask()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using var client = proxy.Client();

        var rsp = await client.GetAsync(origin.Url("/hello?x=1"));

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("hello", await rsp.Content.ReadAsStringAsync());
        var seen = Assert.Single(origin.Seen);
        Assert.Equal("/hello?x=1", seen.PathAndQuery);
        Assert.Equal($"127.0.0.1:{origin.HttpPort}", seen.Headers["Host"]);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward")));
        Assert.Contains("server_name=http", log);
        Assert.Contains("server_type=HttpProxy", log);
        Assert.Contains("escaper=direct", log);
        Assert.Contains("rsp_status=200", log);
        Assert.Contains($"upstream=127.0.0.1:{origin.HttpPort}", log);
        Assert.Matches(@"task_id=[0-9a-f]{32}", log);
        Assert.Matches(@"c_rd_bytes=[1-9]", log);
        Assert.Matches(@"c_wr_bytes=[1-9]", log);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task BodyWithContentLength_ReachesOrigin_AndEchoes(string method)
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using var client = proxy.Client();
        var body = TestOrigin.Pattern(300_000);

        var rsp = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), origin.Url("/echo")) { Content = new ByteArrayContent(body) });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal(method, rsp.Headers.GetValues("X-Seen-Method").Single());
        Assert.Equal(body, await rsp.Content.ReadAsByteArrayAsync());
        var seen = Assert.Single(origin.Seen);
        Assert.Equal(body.Length, seen.BodyLength);
        Assert.Equal(Sha(body), seen.BodySha256);
    }

    [Fact]
    public async Task ChunkedRequestAndResponse_PassThrough()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using var client = proxy.Client();
        var body = TestOrigin.Pattern(150_001);
        // A stream of unknown length makes HttpClient send Transfer-Encoding: chunked.
        var content = new StreamContent(new NonSeekableStream(body));

        var req = new HttpRequestMessage(HttpMethod.Post, origin.Url("/echo?chunked=1")) { Content = content };
        var rsp = await client.SendAsync(req);

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.True(rsp.Headers.TransferEncodingChunked);
        Assert.Equal(body, await rsp.Content.ReadAsByteArrayAsync());
        var seen = Assert.Single(origin.Seen);
        Assert.Equal("chunked", seen.Headers["Transfer-Encoding"]);
        Assert.Equal(Sha(body), seen.BodySha256);
    }

    [Fact]
    public async Task ChunkedResponse_ToHttp10Client_IsDecodedAndClosed()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync($"GET {origin.Url("/chunked/5000")} HTTP/1.0\r\n\r\n");
        var rsp = await raw.ReadResponseAsync();

        Assert.Equal(200, rsp.Status);
        Assert.Null(rsp.Header("Transfer-Encoding"));
        Assert.Equal(TestOrigin.Pattern(5000), rsp.Body);
        Assert.Equal("close", rsp.Header("Connection"));
    }

    [Fact]
    public async Task Http10KeepAlive_IsHonoured()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        // A Content-Length response: a chunked one would be decoded and the connection closed.
        await raw.SendAsync($"GET {origin.Url("/bytes/10")} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var first = await raw.ReadResponseAsync();
        await raw.SendAsync($"GET {origin.Url("/bytes/20")} HTTP/1.0\r\n\r\n");
        var second = await raw.ReadResponseAsync();

        Assert.Equal(200, first.Status);
        Assert.Equal("keep-alive", first.Header("Connection"));
        Assert.Equal(TestOrigin.Pattern(20), second.Body);
        Assert.Equal("close", second.Header("Connection"));
        Assert.True(await raw.ClosedByPeerAsync());
        Assert.Equal(2, origin.Seen.Count);
    }

    [Fact]
    public async Task KeepAlive_ClientConnectionAndUpstreamConnectionAreReused()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await raw.SendAsync($"GET {origin.Url("/conn")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n\r\n");
            var rsp = await raw.ReadResponseAsync();
            Assert.Equal(200, rsp.Status);
            ids.Add(rsp.BodyText);
        }

        // One client connection carried three requests, and the origin saw one upstream connection.
        Assert.Single(ids.Distinct());
        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward"), 3);
        Assert.Equal(3, logs.Length);
        Assert.Contains(logs, l => l.Contains("reuse_connection=true"));
    }

    [Fact]
    public async Task WebSocketUpgrade_ThroughForwardProxy_BecomesATunnel()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync($"GET {origin.Url("/ws")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nUpgrade: websocket\r\n" +
                            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        var upgraded = await raw.ReadResponseAsync(headRequest: true);
        Assert.Equal(101, upgraded.Status);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", upgraded.Header("Sec-WebSocket-Accept"));

        // One masked text frame "ping" (RFC 6455 5.2); the origin echoes it unmasked.
        byte[] mask = [1, 2, 3, 4];
        var payload = "ping"u8.ToArray();
        var frame = new byte[6 + payload.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | payload.Length);
        mask.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++) frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        await raw.SendAsync(frame);
        var echo = new byte[2 + payload.Length];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await raw.Stream.ReadExactlyAsync(echo, cts.Token);

        Assert.Equal(0x81, echo[0]);
        Assert.Equal(payload.Length, echo[1]);
        Assert.Equal(payload, echo[2..]);
    }

    [Fact]
    public async Task ResponseDelimitedByClose_IsRelayed_AndClientConnectionCloses()
    {
        // An HTTP/1.0-style origin: no length, the body ends when it closes.
        await using var origin = new ScriptedOrigin(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"));
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync($"GET http://127.0.0.1:{origin.Port}/ HTTP/1.1\r\nHost: x\r\n\r\n");
        var rsp = await raw.ReadResponseAsync();

        Assert.Equal(200, rsp.Status);
        Assert.Equal("close", rsp.Header("Connection"));
        Assert.Equal("until the end", rsp.BodyText);
    }

    [Fact]
    public async Task PipelinedRequests_AreAnsweredInOrder()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        // Three requests in one write: the proxy must answer each, in order, on this connection.
        await raw.SendAsync($"GET {origin.Url("/bytes/3")} HTTP/1.1\r\nHost: a\r\n\r\n" +
                            $"GET {origin.Url("/bytes/5")} HTTP/1.1\r\nHost: a\r\n\r\n" +
                            $"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

        Assert.Equal(TestOrigin.Pattern(3), (await raw.ReadResponseAsync()).Body);
        Assert.Equal(TestOrigin.Pattern(5), (await raw.ReadResponseAsync()).Body);
        var last = await raw.ReadResponseAsync();
        Assert.Equal("hello", last.BodyText);
        Assert.Equal("close", last.Header("Connection"));
        Assert.True(await raw.ClosedByPeerAsync());
    }

    [Fact]
    public async Task HopByHopHeaders_AreNotForwarded()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync($"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n" +
                            "Connection: X-Secret, keep-alive\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n" +
                            "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nX-Kept: yes\r\n\r\n");
        var rsp = await raw.ReadResponseAsync();

        Assert.Equal(200, rsp.Status);
        var seen = Assert.Single(origin.Seen).Headers;
        Assert.False(seen.ContainsKey("X-Secret"));
        Assert.False(seen.ContainsKey("Keep-Alive"));
        Assert.False(seen.ContainsKey("Proxy-Connection"));
        Assert.False(seen.ContainsKey("Proxy-Authorization"));
        Assert.Equal("yes", seen["X-Kept"]);
    }

    [Fact]
    public async Task ExpectContinue_BodyFollowsTheOrigins100()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync($"POST {origin.Url("/echo")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        var interim = await raw.ReadResponseAsync(headRequest: true);
        Assert.Equal(100, interim.Status);
        await raw.SendAsync("abcde");
        var rsp = await raw.ReadResponseAsync();

        Assert.Equal(200, rsp.Status);
        Assert.Equal("abcde", rsp.BodyText);
    }

    [Fact]
    public async Task Download100MB_WithCurl_Sha256Matches()
    {
        const long size = 100L * 1024 * 1024;
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var file = Path.Combine(Path.GetTempPath(), "g3a-dl-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, _, err) = await RunAsync("curl", $"-sS --max-time 120 -o {file} -w %{{http_code}} -x {proxy.ProxyUri()} {origin.Url($"/bytes/{size}")}");
            Assert.True(code == 0, err);
            Assert.Equal(size, new FileInfo(file).Length);
            await using var f = File.OpenRead(file);
            Assert.Equal(Sha(TestOrigin.Pattern(size)), Convert.ToHexString(await SHA256.HashDataAsync(f)).ToLowerInvariant());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Connect_ToTlsOrigin_TunnelsTheHandshake()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var ca = Path.Combine(Path.GetTempPath(), "g3a-ca-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(ca, origin.CaPem);
        try
        {
            // curl verifies the origin's certificate against our CA: the proxy only tunnels.
            var (code, stdout, err) = await RunAsync("curl", $"-sS --max-time 30 --cacert {ca} -p -x {proxy.ProxyUri()} https://127.0.0.1:{origin.HttpsPort}/hello");
            Assert.True(code == 0, err);
            Assert.Equal("hello", stdout);
            var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=TcpConnect")));
            Assert.Contains("upstream=127.0.0.1:" + origin.HttpsPort, log);
            Assert.Matches(@"r_rd_bytes=[1-9]", log);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public async Task HttpsForward_PlainTextRequest_ProxyDoesTlsToOrigin()
    {
        await using var origin = await TestOrigin.StartAsync();
        var ca = Path.Combine(Path.GetTempPath(), "g3a-ca-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(ca, origin.CaPem);
        try
        {
            await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: $"tls_client:\n  ca_certificate: {ca}"));
            await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
            await raw.SendAsync($"GET {origin.HttpsUrl("/hello")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpsPort}\r\n\r\n");
            var rsp = await raw.ReadResponseAsync();

            Assert.Equal(200, rsp.Status);
            Assert.Equal("hello", rsp.BodyText);
            var seen = Assert.Single(origin.Seen);
            Assert.Equal("/hello", seen.PathAndQuery);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public async Task UpstreamFailure_EscapeLogCarriesTheReason()
    {
        // A port nobody listens on: bind one, note it, close it.
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using var client = proxy.Client();

        var rsp = await client.GetAsync($"http://127.0.0.1:{port}/");

        Assert.Equal(521, (int)rsp.StatusCode);
        var escape = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Escape")));
        Assert.Contains("escaper_name=direct", escape);
        Assert.Contains("escape_type=TcpConnect", escape);
        Assert.Contains($"upstream=127.0.0.1:{port}", escape);
        Assert.Contains("refused", escape, StringComparison.OrdinalIgnoreCase);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task")));
        Assert.Contains("reason=UpstreamNotConnected", task);
    }

    internal static string Sha(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, string args, int timeoutMs = 180_000)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var cts = new CancellationTokenSource(timeoutMs);
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw;
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private int _pos;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 7000), data.Length - _pos);
            Array.Copy(data, _pos, buffer, offset, n);
            _pos += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
