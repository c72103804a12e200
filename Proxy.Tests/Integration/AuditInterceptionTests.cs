using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Proxy.Actors.Audit.CertGen;
using Proxy.Tests.Audit;

namespace Proxy.Tests.Integration;

/// <summary>
/// The auditor on http_proxy CONNECT tunnels with real parts: curl, a Kestrel HTTPS origin, the
/// project's certificate generator over loopback UDP, raw sockets for non-TLS tunnels.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AuditInterceptionTests : AuditTestBase
{
    private string Curl(ProxyUnderTest proxy, string url, bool withCa) =>
        // HTTP/1.1 so the h1 interception is what these tests see (h2 has its own tests).
        $"-sS --http1.1 --max-time 30 -x {proxy.ProxyUri()} -p " + (withCa ? $"--cacert {CaFile()} " : "") + url;

    [Fact]
    public async Task Curl_TrustingTheGeneratorsCa_ReachesTheHttpsOrigin_AndTheRequestIsLogged()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();

        var (code, body, err) = await HttpForwardTests.RunAsync("curl", Curl(proxy, $"https://localhost:{origin.HttpsPort}/hello?x=1", withCa: true), 60_000);

        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var lines = await proxy.WaitForLogAsync(l => l.Contains("intercept_type=HttpForward"));
        Assert.True(lines.Length == 1, proxy.TaskLog.ToString());
        var line = lines[0];
        Assert.True(line.Contains("method=GET") && line.Contains("uri=\"/hello?x=1\""), line);
        Assert.Contains($"host=localhost:{origin.HttpsPort}", line);
        Assert.Contains("rsp_status=200", line);
        Assert.Contains("rsp_body_bytes=", line); // the body as it crossed the wire (Kestrel chunks it)
        Assert.Contains("auditor_name=audit", line);
        // the origin saw the request the client made, through the proxy's own TLS session
        Assert.Contains(origin.Seen, r => r.PathAndQuery == "/hello?x=1");
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=ClosedByClient", task);
    }

    [Fact]
    public async Task Curl_ThroughSocks5_IsInterceptedByTheSameHook()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();
        var ca = CaFile();

        var (code, body, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --http1.1 --max-time 30 --socks5-hostname {proxy.Endpoint("socks")} --cacert {ca} https://localhost:{origin.HttpsPort}/hello", 60_000);

        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=HttpForward")));
        Assert.Contains("uri=/hello", line);
        Assert.Contains("rsp_status=200", line);
    }

    [Fact]
    public async Task Curl_ThroughSniProxy_IsInterceptedByTheSameHook()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        // localhost keeps its name (the origin's certificate is for it); only the port is redirected.
        await using var proxy = await StartAsync(servers: $"""
              - name: sni
                type: sni_proxy
                escaper: direct
                listen: 127.0.0.1:0
                auditor: audit
                allowed_hosts:
                  - exact_match: localhost
                    redirect_port: {origin.HttpsPort}
            """);
        var port = proxy.Endpoint("sni").Port;
        var ca = CaFile();

        var (code, body, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --http1.1 --max-time 30 --cacert {ca} --resolve localhost:{port}:127.0.0.1 https://localhost:{port}/hello?via=sni", 60_000);

        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=HttpForward")));
        Assert.Contains("uri=\"/hello?via=sni\"", line);
        Assert.Contains("rsp_status=200", line);
        Assert.Contains("auditor_name=audit", line);
        Assert.Contains(origin.Seen, r => r.PathAndQuery == "/hello?via=sni");
    }

    [Fact]
    public async Task Curl_WithoutTheGeneratorsCa_FailsVerification()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();

        var (code, _, err) = await HttpForwardTests.RunAsync("curl", Curl(proxy, $"https://localhost:{origin.HttpsPort}/hello", withCa: false), 60_000);

        Assert.Equal(60, code); // CURLE_PEER_FAILED_VERIFICATION
        Assert.Contains("certificate", err);
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task OriginWithAnExpiredCertificate_EndsTheTaskWithTheReason()
    {
        var (expiredCa, leaf) = ExpiredChain();
        await using var origin = new OneShotTlsOrigin(leaf);
        await using var proxy = await StartAsync(originCaPem: expiredCa);

        var (code, _, _) = await HttpForwardTests.RunAsync("curl", Curl(proxy, $"https://localhost:{origin.Port}/", withCa: true), 60_000);

        Assert.NotEqual(0, code);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=UpstreamTlsHandshakeFailed", task);
        Assert.True(task.Contains("NotTimeValid"), proxy.TaskLog.ToString());
    }

    [Fact]
    public async Task GeneratorThatNeverAnswers_EndsTheTaskWithTheReason()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync(agent:
            $"{{query_peer_addr: '{silent.LocalEndPoint}', query_wait_timeout: 1s, cache_request_timeout: 2s}}");

        var (code, _, _) = await HttpForwardTests.RunAsync("curl", Curl(proxy, $"https://localhost:{origin.HttpsPort}/hello", withCa: true), 60_000);

        Assert.NotEqual(0, code);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=InterceptionError", task);
        Assert.Contains("generator", task);
        Assert.Empty(origin.Seen);
    }

    [Theory]
    [InlineData(false)] // random bytes
    [InlineData(true)]  // a TLS handshake record header, then random bytes where the ClientHello should be
    public async Task NonTlsBytesInATunnel_PassUntouched(bool tlsHeader)
    {
        await using var echo = new EchoOrigin();
        await using var proxy = await StartAsync();
        var payload = RandomPayload(tlsHeader);

        var back = await ThroughTunnelAsync(proxy, echo.Port, payload);

        Assert.Equal(payload, back);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=ClosedBy", task);
    }

    [Fact]
    public async Task NonTlsBytesInATunnel_EndWhenTheUserProhibitsUnknownProtocols()
    {
        await using var echo = new EchoOrigin();
        await using var proxy = await ProxyUnderTest.StartAsync(
            HttpProxyUserTests.Yaml(rootExtra: "audit: {enable_protocol_inspection: true, prohibit_unknown_protocol: true}", serverExtra: "auditor: audit")
            + $"\nauditor:\n  - name: audit\n    tls_cert_agent: {Generator.LocalEndPoint}\n");
        var payload = RandomPayload(tlsHeader: true);

        var back = await ThroughTunnelAsync(proxy, echo.Port, payload, "Proxy-Authorization: Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("root:toor")) + "\r\n");

        Assert.Empty(back);
        Assert.Equal(0, echo.Echoed);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=ForbiddenByRule", task);
        Assert.Contains("unknown protocol", task);
    }

    private static byte[] RandomPayload(bool tlsHeader)
    {
        var payload = RandomNumberGenerator.GetBytes(3000);
        if (tlsHeader)
        {
            // type 22, TLS 1.0 record version, length 2995, handshake type ClientHello: then noise
            payload[0] = 0x16; payload[1] = 0x03; payload[2] = 0x01; payload[3] = 0x0b; payload[4] = 0xb3; payload[5] = 0x01;
        }
        else
        {
            payload[0] = 0x42; // not TLS, not a method, not SSH
        }
        return payload;
    }

    /// <summary>CONNECT through the proxy, send the payload, half-close, and read what comes back until the end.</summary>
    private static async Task<byte[]> ThroughTunnelAsync(ProxyUnderTest proxy, int port, byte[] payload, string extraHeaders = "")
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(proxy.Endpoint(), cts.Token);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extraHeaders}\r\n"), cts.Token);
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r'))
        {
            if (await stream.ReadAsync(one, cts.Token) == 0) throw new IOException("no CONNECT reply");
            head.Add(one[0]);
        }
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(head.ToArray()));
        await stream.WriteAsync(payload, cts.Token);
        socket.Shutdown(SocketShutdown.Send);
        var back = new MemoryStream();
        var buf = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buf, cts.Token)) > 0) back.Write(buf, 0, n);
        }
        catch (IOException)
        {
            // a reset is how a refused tunnel may end
        }
        return back.ToArray();
    }

    /// <summary>A CA (PEM) and a localhost leaf it signed that expired yesterday.</summary>
    private static (string CaPem, X509Certificate2 Leaf) ExpiredChain()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=Expired Test CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = req.Create(ca, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        return (ca.ExportCertificatePem(), X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
    }

    /// <summary>A TCP server on 127.0.0.1:0 that runs <c>serve</c> for each connection until disposed.</summary>
    private class LoopbackServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        protected LoopbackServer(Func<Socket, CancellationToken, Task> serve)
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Socket s;
                    try { s = await _listener.AcceptSocketAsync(_stop.Token); }
                    catch (OperationCanceledException) { return; }
                    _ = Task.Run(() => serve(s, _stop.Token));
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }

    /// <summary>A TLS server that offers its certificate to whoever connects.</summary>
    private sealed class OneShotTlsOrigin(X509Certificate2 cert) : LoopbackServer(async (s, ct) =>
    {
        await using var ssl = new SslStream(new NetworkStream(s, ownsSocket: true));
        try { await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert }, ct); }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException) { }
    });

    /// <summary>A TCP echo server: every byte back, FIN after the client's FIN.</summary>
    private sealed class EchoOrigin : LoopbackServer
    {
        private readonly StrongBox<long> _echoed;

        public EchoOrigin() : this(new StrongBox<long>())
        {
        }

        private EchoOrigin(StrongBox<long> echoed) : base((s, ct) => EchoAsync(s, echoed, ct)) => _echoed = echoed;

        public long Echoed => Interlocked.Read(ref _echoed.Value);

        private static async Task EchoAsync(Socket s, StrongBox<long> echoed, CancellationToken ct)
        {
            using var socket = s;
            var buf = new byte[8192];
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buf, SocketFlags.None, ct)) > 0)
                {
                    Interlocked.Add(ref echoed.Value, n);
                    await socket.SendAsync(buf.AsMemory(0, n), SocketFlags.None, ct);
                }
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // the test is over or the proxy ended the tunnel
            }
        }
    }
}
