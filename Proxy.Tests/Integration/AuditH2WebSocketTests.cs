using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Proxy.Actors.Audit.CertGen;
using Proxy.Tests.Audit;

namespace Proxy.Tests.Integration;

/// <summary>
/// h2 interception and WebSocket through an intercepted CONNECT, with real parts: curl --http2,
/// ClientWebSocket, a Kestrel HTTPS origin (h2 and WebSocket), the project's certificate generator.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AuditH2WebSocketTests : AuditTestBase
{
    [Fact]
    public async Task CurlHttp2_TwoParallelStreams_BothArrive_OneInterceptRecordEach()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();
        var a = Path.Combine(Dir, "a.out");
        var b = Path.Combine(Dir, "b.out");

        var (code, stdout, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 --http2 --parallel --parallel-max 2 -x {proxy.ProxyUri()} -p --cacert {CaFile()} -w \"%{{http_version}} %{{response_code}}\\n\" "
            + $"-o {a} https://localhost:{origin.HttpsPort}/hello -o {b} https://localhost:{origin.HttpsPort}/bytes/300000", 60_000);

        Assert.True(code == 0, err);
        Assert.Equal(["2 200", "2 200"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("hello", File.ReadAllText(a));
        Assert.Equal(TestOrigin.Pattern(300_000), File.ReadAllBytes(b));
        var lines = await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2StreamForward"), count: 2);
        Assert.True(lines.Length == 2, proxy.TaskLog.ToString());
        var hello = lines.FirstOrDefault(l => l.Contains("uri=/hello")) ?? throw new Xunit.Sdk.XunitException(string.Join("\n", lines));
        var bytes = Assert.Single(lines, l => l.Contains("uri=/bytes/300000"));
        foreach (var line in lines)
        {
            Assert.Contains("method=GET", line);
            Assert.Contains("rsp_status=200", line);
            Assert.Contains($"host=localhost:{origin.HttpsPort}", line);
            Assert.Contains("auditor_name=audit", line);
        }
        Assert.Contains("rsp_body_bytes=5 ", hello + " ");
        Assert.Contains("rsp_body_bytes=300000", bytes);
        // The origin saw both as HTTP/2 streams on one connection: the proxy's own TLS session to it.
        var seen = origin.Seen.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.All(seen, s => Assert.Equal("HTTP/2", s.Protocol));
        Assert.Single(seen.Select(s => s.ConnectionId).Distinct());
        var tasks = await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect"));
        var task = tasks.Length == 1 ? tasks[0] : throw new Xunit.Sdk.XunitException(proxy.TaskLog.ToString());
        Assert.True(task.Contains("reason=ClosedByClient"), task);
    }

    [Fact]
    public async Task HttpClientHttp2_ASlowStreamDoesNotHoldUpAFastOne()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler
        {
            Proxy = new WebProxy(proxy.ProxyUri()),
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is X509Certificate2 c && InterceptionCa.Chains(c) },
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var url = $"https://localhost:{origin.HttpsPort}";
        // One connection first, so both requests below are streams of it.
        Assert.Equal("hello", await client.GetStringAsync(url + "/hello"));

        var slow = client.GetStringAsync(url + "/slow/5000");
        var fast = await client.GetStringAsync(url + "/hello");

        Assert.Equal("hello", fast);
        Assert.False(slow.IsCompleted); // the fast answer came while the slow stream was still open
        Assert.Equal("late", await slow);
        var lines = await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2StreamForward"), count: 3);
        Assert.Equal(3, lines.Length);
        Assert.Single(origin.Seen.Select(s => s.ConnectionId).Distinct());
    }

    [Fact]
    public async Task WebSocketEcho_ThroughAnInterceptedConnect()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();
        using var ws = new ClientWebSocket();
        ws.Options.Proxy = new WebProxy(proxy.ProxyUri());
        ws.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is X509Certificate2 c && InterceptionCa.Chains(c);
        ws.Options.SetRequestHeader("Origin", "https://example.test");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await ws.ConnectAsync(new Uri($"wss://localhost:{origin.HttpsPort}/ws"), cts.Token);
        var replies = new List<string>();
        foreach (var text in new[] { "ping one", "ping two" })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
            var buf = new byte[256];
            var r = await ws.ReceiveAsync(buf, cts.Token);
            replies.Add(Encoding.UTF8.GetString(buf, 0, r.Count));
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);

        Assert.Equal(["ping one", "ping two"], replies);
        Assert.Equal(WebSocketState.Closed, ws.State);
        var upgrade = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=HttpForward")));
        Assert.Contains("rsp_status=101", upgrade);
        var record = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H1Websocket")));
        Assert.Contains("ws_resource_name=/ws", record);
        Assert.Contains("ws_origin=https://example.test", record);
        Assert.Contains("ws_version=13", record);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=ClosedBy", task);
    }

    [Fact]
    public async Task H2InspectPolicyBlock_EndsTheTask_ForbiddenByRule()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync("    h2_inspect_policy: block");

        var (code, _, _) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 --http2 -x {proxy.ProxyUri()} -p --cacert {CaFile()} https://localhost:{origin.HttpsPort}/hello", 60_000);

        Assert.NotEqual(0, code);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=ForbiddenByRule", task);
        Assert.Contains("h2_inspect_policy", task);
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task ClientThatLeavesMidH2Handshake_EndsTheTaskWithTheReason()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(proxy.Endpoint(), cts.Token);
            var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT localhost:{origin.HttpsPort} HTTP/1.1\r\nHost: localhost:{origin.HttpsPort}\r\n\r\n"), cts.Token);
            Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(stream, cts.Token));
            await using var tls = new SslStream(stream);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is X509Certificate2 c && InterceptionCa.Chains(c),
            }, cts.Token);
            Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
            // Half the connection preface, then the client is gone.
            await tls.WriteAsync("PRI * HTTP/2.0\r\n"u8.ToArray(), cts.Token);
            await tls.FlushAsync(cts.Token);
            socket.Close();
        }

        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=ClosedByClient", task);
        Assert.True(task.Contains("h2: client handshake"), task);
        var record = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2Connection")));
        Assert.True(record.Contains("error=\"h2: client handshake: "), record);
        Assert.Empty(origin.Seen);
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r'))
        {
            if (await stream.ReadAsync(one, ct) == 0) throw new IOException("no CONNECT reply");
            head.Add(one[0]);
        }
        return Encoding.ASCII.GetString(head.ToArray());
    }
}
