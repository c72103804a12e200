using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Proxy.Actors.Audit.CertGen;
using Proxy.Tests.Audit;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// h2 interception against real servers that misbehave upstream: one that never sends its h2
/// preface (upstream_handshake_timeout), one whose stream limit is used up (upstream_stream_open_timeout).
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AuditH2UpstreamTests : AuditTestBase
{
    [Fact]
    public async Task UpstreamThatNeverSendsItsH2Preface_EndsTheTaskWithinUpstreamHandshakeTimeout()
    {
        using var silent = new SilentH2Server(OriginCerts.ServerCertificate);
        await using var proxy = await StartAsync(auditorExtra: "    h2_interception: { upstream_handshake_timeout: 1s }");
        var caFile = CaFile();
        var clock = Stopwatch.StartNew();

        var (code, _, _) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 60 --http2 -x {proxy.ProxyUri()} -p --cacert {caFile} https://localhost:{silent.Port}/hello", 90_000);

        var tasks = await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect"), timeoutMs: 30_000);
        var elapsed = clock.Elapsed;
        Assert.NotEqual(0, code);
        var task = tasks.Length == 1 ? tasks[0] : throw new Xunit.Sdk.XunitException(proxy.TaskLog.ToString());
        Assert.True(task.Contains("reason=InterceptionError") && task.Contains("h2: timeout to handshake with upstream"), task);
        var record = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2Connection")));
        Assert.Contains("error=\"h2: timeout to handshake with upstream\"", record);
        Assert.True(silent.Accepted >= 1, "the proxy never reached the upstream");
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.9) && elapsed < TimeSpan.FromSeconds(30), elapsed.ToString());
    }

    [Fact]
    public async Task UpstreamWithNoFreeStream_RefusesTheClientStreamWithinUpstreamStreamOpenTimeout()
    {
        // The origin allows one stream per connection; a slow request holds it.
        await using var origin = await TestOrigin.StartAsync(OriginCerts, kestrel: k => k.Limits.Http2.MaxStreamsPerConnection = 1);
        await using var proxy = await StartAsync(auditorExtra: "    h2_interception: { upstream_stream_open_timeout: 1s }");
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
        Assert.Equal("hello", await client.GetStringAsync(url + "/hello"));
        using var end = new CancellationTokenSource();
        var slow = client.GetStringAsync(url + "/slow/20000", end.Token);
        Assert.True(await Eventually.True(() => origin.Seen.Any(s => s.PathAndQuery == "/slow/20000"), TimeSpan.FromSeconds(30)));
        var clock = Stopwatch.StartNew();

        var second = client.GetStringAsync(url + "/hello", end.Token);
        var refused = await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2StreamForward") && l.Contains("timeout to open upstream stream"), timeoutMs: 30_000);
        var elapsed = clock.Elapsed;

        var record = refused.Length > 0 ? refused[0] : throw new Xunit.Sdk.XunitException(proxy.TaskLog.ToString());
        Assert.Contains("uri=/hello", record);
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.9) && elapsed < TimeSpan.FromSeconds(30), elapsed.ToString());
        // While the slow stream holds the origin's one slot, the second request never reached it.
        Assert.Single(origin.Seen, s => s.PathAndQuery == "/hello");
        Assert.False(slow.IsCompleted);
        await end.CancelAsync();
        await Task.WhenAll(slow, second).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task WebSocketOverH2ExtendedConnect_ThroughAnInterceptedConnect_Echoes_AndIsLogged()
    {
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            Proxy = new WebProxy(proxy.ProxyUri()),
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is X509Certificate2 c && InterceptionCa.Chains(c) },
        });
        using var ws = new ClientWebSocket();
        // RFC 8441: the WebSocket is an extended CONNECT stream (:protocol websocket) on an h2 connection.
        ws.Options.HttpVersion = HttpVersion.Version20;
        ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        ws.Options.SetRequestHeader("Origin", "https://example.test");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await ws.ConnectAsync(new Uri($"wss://localhost:{origin.HttpsPort}/ws"), invoker, cts.Token);
        var replies = new List<string>();
        foreach (var text in new[] { "h2 one", "h2 two" })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
            var buf = new byte[256];
            var r = await ws.ReceiveAsync(buf, cts.Token);
            replies.Add(Encoding.UTF8.GetString(buf, 0, r.Count));
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);

        Assert.Equal(["h2 one", "h2 two"], replies);
        var seen = Assert.Single(origin.Seen, s => s.PathAndQuery == "/ws");
        Assert.Equal(("CONNECT", "HTTP/2"), (seen.Method, seen.Protocol));
        var head = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2ExtendedConnect")));
        Assert.Contains("next_protocol=websocket", head);
        Assert.Contains("rsp_status=200", head);
        var record = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2Websocket")));
        Assert.Contains("ws_resource_name=/ws", record);
        Assert.Contains("ws_origin=https://example.test", record);
        Assert.Contains("ws_version=13", record);
    }

    /// <summary>A TLS server that negotiates h2 and then says nothing (never its SETTINGS), reading what comes.</summary>
    private sealed class SilentH2Server : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _accepted;

        public SilentH2Server(X509Certificate2 certificate)
        {
            _listener.Start();
            _ = AcceptAsync(certificate);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync(X509Certificate2 certificate)
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _accepted);
                    _ = HoldAsync(socket, certificate);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }

        private async Task HoldAsync(Socket socket, X509Certificate2 certificate)
        {
            using (socket)
            {
                try
                {
                    await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = certificate,
                        ApplicationProtocols = [SslApplicationProtocol.Http2],
                    }, _stop.Token);
                    var buffer = new byte[4096];
                    while (await tls.ReadAsync(buffer, _stop.Token) > 0)
                    {
                        // the client's preface and request, never answered
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                {
                    // the proxy left, or the test is over
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
