using System.Diagnostics;
using System.Text.RegularExpressions;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Integration;

/// <summary>
/// http_proxy's requests to itself and the fields it adds, seen by plain curl (no --proxy for the
/// well-known URIs) against a Kestrel origin: easy-proxy and masque/http, local_server_name,
/// server_id / http_forward_mark_upstream / echo_chained_info, untrusted_read_speed_limit.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class HttpProxyLocalUriTests
{
    private sealed record CurlResult(int Code, int Status, string Head, byte[] Body, string Stderr);

    /// <summary>curl with the response head and body kept apart (in files), so the body's bytes can be compared.</summary>
    private static async Task<CurlResult> Curl(string args)
    {
        var dir = Path.Combine(Path.GetTempPath(), "g3a-curl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var head = Path.Combine(dir, "head");
            var body = Path.Combine(dir, "body");
            var (code, _, err) = await HttpForwardTests.RunAsync("curl", $"-sS --max-time 20 --path-as-is -D {head} -o {body} {args}", 60_000);
            var headText = File.Exists(head) ? await File.ReadAllTextAsync(head) : "";
            // The last head is the origin's (a CONNECT's 200 comes first with -p).
            var status = Regex.Matches(headText, @"^HTTP/\S+ (\d{3})", RegexOptions.Multiline) is { Count: > 0 } m ? int.Parse(m[^1].Groups[1].Value) : 0;
            return new(code, status, headText, File.Exists(body) ? await File.ReadAllBytesAsync(body) : [], err);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task EasyProxy_And_MasqueHttp_WithPlainCurl_ReachTheNamedOrigin()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var ep = proxy.Endpoint();

        var easy = await Curl($"http://{ep}/.well-known/easy-proxy/http/127.0.0.1/{origin.HttpPort}/bytes/300000");
        var masque = await Curl($"http://{ep}/.well-known/masque/http/http%3A%2F%2F127.0.0.1%3A{origin.HttpPort}%2Fhello%3Fx%3D1/");

        Assert.True(easy.Code == 0, easy.Stderr);
        Assert.Equal(200, easy.Status);
        Assert.Equal(HttpForwardTests.Sha(TestOrigin.Pattern(300_000)), HttpForwardTests.Sha(easy.Body));
        Assert.True(masque.Code == 0, masque.Stderr);
        Assert.Equal(200, masque.Status);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(masque.Body));
        var seen = origin.Seen.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.Equal("/bytes/300000", seen[0].PathAndQuery);
        Assert.Equal($"127.0.0.1:{origin.HttpPort}", seen[0].Headers["Host"]);
        Assert.Equal("/hello?x=1", seen[1].PathAndQuery);
        Assert.Equal($"127.0.0.1:{origin.HttpPort}", seen[1].Headers["Host"]);
        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward") && l.Contains("rsp_status=200"), count: 2);
        Assert.All(logs, l => Assert.Contains($"upstream=127.0.0.1:{origin.HttpPort}", l));
        // As g3 does, the task log shows the URI the request stands for.
        Assert.Single(logs, l => Regex.IsMatch(l, $@"uri=""?http://127\.0\.0\.1:{origin.HttpPort}/bytes/300000""?( |$)"));
        Assert.Single(logs, l => Regex.IsMatch(l, $@"uri=""?http://127\.0\.0\.1:{origin.HttpPort}/hello\?x=1""?( |$)"));
    }

    [Fact]
    public async Task OtherLocalPaths_Get501_AndTheProxyKeepsServing()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var ep = proxy.Endpoint();

        var plain = await Curl($"http://{ep}/index.html");
        var unknown = await Curl($"http://{ep}/.well-known/easy-proxy/gopher/127.0.0.1/{origin.HttpPort}/");
        var after = await Curl($"http://{ep}/.well-known/easy-proxy/http/127.0.0.1/{origin.HttpPort}/hello");

        Assert.Equal(501, plain.Status);
        Assert.Equal(501, unknown.Status);
        Assert.Equal(200, after.Status);
        Assert.Equal("/hello", Assert.Single(origin.Seen).PathAndQuery);
    }

    [Fact]
    public async Task LocalServerName_OnlyRequestsForItsName_AreLocal()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "local_server_name: proxy.local"));
        var ep = proxy.Endpoint();
        var path = $"/.well-known/easy-proxy/http/127.0.0.1/{origin.HttpPort}/hello";

        var otherHost = await Curl($"http://{ep}{path}");
        var named = await Curl($"-H \"Host: proxy.local\" http://{ep}{path}");
        // Through the proxy: the absolute URI names the proxy itself, so it is a local request too.
        var viaProxy = await Curl($"-x http://{ep} http://proxy.local{path}");

        Assert.Equal(400, otherHost.Status);
        Assert.Equal(200, named.Status);
        Assert.Equal(200, viaProxy.Status);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(viaProxy.Body));
        Assert.Equal(2, origin.Seen.Count);
        Assert.All(origin.Seen, s => Assert.Equal($"127.0.0.1:{origin.HttpPort}", s.Headers["Host"]));
    }

    [Fact]
    public async Task ServerId_MarkUpstream_EchoChainedInfo_OnForwardedResponses_AndTheConnect200()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(
            serverExtra: "server_id: px-1\nhttp_forward_mark_upstream: true\necho_chained_info: true", escaperExtra: "bind_ip: 127.0.0.1"));
        var ep = proxy.Endpoint();
        var port = origin.HttpPort;

        var forward = await Curl($"-x http://{ep} http://127.0.0.1:{port}/hello");
        var tunnel = await Curl($"-v -p -x http://{ep} http://127.0.0.1:{port}/hello");
        var local = await Curl($"http://{ep}/.well-known/easy-proxy/http/127.0.0.1/{port}/hello");

        Assert.Equal(200, forward.Status);
        Assert.Contains("X-BD-Upstream-Id: px-1\r\n", forward.Head);
        Assert.Matches($@"X-BD-Remote-Connection-Info: px-1; bind=127\.0\.0\.1; local=127\.0\.0\.1:\d+; remote=127\.0\.0\.1:{port}\r\n", forward.Head);
        Assert.Contains($"X-BD-Upstream-Addr: 127.0.0.1:{port}\r\n", forward.Head);
        Assert.Contains("X-BD-Outgoing-IP: 127.0.0.1\r\n", forward.Head);
        Assert.Equal(200, local.Status);
        Assert.Contains("X-BD-Upstream-Id: px-1\r\n", local.Head);
        // The CONNECT's 200 carries the connection info and chained info, never the upstream id.
        Assert.Equal(200, tunnel.Status);
        var connectHead = tunnel.Head[..tunnel.Head.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.Matches($@"X-BD-Remote-Connection-Info: px-1; bind=127\.0\.0\.1; local=127\.0\.0\.1:\d+; remote=127\.0\.0\.1:{port}", connectHead);
        Assert.Contains($"X-BD-Upstream-Addr: 127.0.0.1:{port}", connectHead);
        Assert.DoesNotContain("X-BD-Upstream-Id", connectHead);
        // Through the tunnel the origin's response is the origin's own.
        Assert.DoesNotContain("X-BD-", tunnel.Head[connectHead.Length..]);
    }

    [Fact]
    public async Task ServerId_ConnectionInfo_OnTheProxysReply_WhenTheOriginCannotBeReached()
    {
        var dead = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        dead.Start();
        var port = ((System.Net.IPEndPoint)dead.LocalEndpoint).Port;
        dead.Stop();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(
            serverExtra: "server_id: px-1\nhttp_forward_mark_upstream: true\necho_chained_info: true"));
        var ep = proxy.Endpoint();

        var forward = await Curl($"-x http://{ep} http://127.0.0.1:{port}/hello");
        var tunnel = await Curl($"-p -x http://{ep} http://127.0.0.1:{port}/hello");

        foreach (var r in new[] { forward, tunnel })
        {
            Assert.InRange(r.Status, 500, 599);
            Assert.Matches($@"X-BD-Remote-Connection-Info: px-1(; local=[^;\r]+)?; remote=127\.0\.0\.1:{port}\r\n", r.Head);
            // No upstream connection: nothing chained to echo, no upstream to mark.
            Assert.DoesNotContain("X-BD-Upstream-", r.Head);
            Assert.DoesNotContain("X-BD-Outgoing-IP", r.Head);
        }
    }

    [Fact]
    public async Task ServerId_EchoChainedInfo_OnThe502_WhenTheOriginClosesAfterTheConnect()
    {
        // An origin that accepts and hangs up: the proxy's 502 comes after the upstream connection was made.
        using var rude = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        rude.Start();
        var port = ((System.Net.IPEndPoint)rude.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var hangUp = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { (await rude.AcceptSocketAsync(stop.Token)).Dispose(); }
                catch (OperationCanceledException) { return; }
            }
        });
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(
            serverExtra: "server_id: px-1\nhttp_forward_mark_upstream: true\necho_chained_info: true", escaperExtra: "bind_ip: 127.0.0.1"));

        var forward = await Curl($"-x http://{proxy.Endpoint()} http://127.0.0.1:{port}/hello");
        await stop.CancelAsync();
        await hangUp;

        Assert.Equal(502, forward.Status);
        Assert.Matches($@"X-BD-Remote-Connection-Info: px-1; bind=127\.0\.0\.1; local=127\.0\.0\.1:\d+; remote=127\.0\.0\.1:{port}\r\n", forward.Head);
        Assert.Contains($"X-BD-Upstream-Addr: 127.0.0.1:{port}\r\n", forward.Head);
        // The proxy's own reply: no upstream answered it, so none is marked.
        Assert.DoesNotContain("X-BD-Upstream-Id", forward.Head);
    }

    private static string UserYaml(string serverExtra) => HttpProxyUserTests.Yaml(serverExtra: serverExtra);

    private static string Post(string url, int bodyLength, string? auth = null) =>
        $"POST {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\nContent-Length: {bodyLength}\r\n" + (auth is null ? "" : $"Proxy-Authorization: {auth}\r\n") + "\r\n";

    private static string Get(string url, string auth) =>
        $"GET {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\nProxy-Authorization: {auth}\r\n\r\n";

    [Fact]
    public async Task UntrustedReadSpeedLimit_TheRefusedBodyIsReadAtTheLimit_ThenTheConnectionServesTheLogin()
    {
        await using var origin = await TestOrigin.StartAsync();
        // 8 KiB per 256 ms: 32 KiB/s, so 64 KiB of body takes at least ~1.75 s.
        await using var proxy = await ProxyUnderTest.StartAsync(UserYaml("untrusted_read_speed_limit: {shift_millis: 8, north: 8192}"));
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
        var body = new byte[64 * 1024];

        var started = Stopwatch.GetTimestamp();
        await raw.SendAsync(Post(origin.Url("/echo"), body.Length));
        var send = raw.SendAsync(body);
        var challenge = await raw.ReadResponseAsync();
        await send;
        await raw.SendAsync(Get(origin.Url("/hello"), BasicAuth.Encode("root", "toor")));
        var ok = await raw.ReadResponseAsync(timeoutMs: 60_000);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(407, challenge.Status);
        Assert.Equal("keep-alive", challenge.Header("Connection"));
        Assert.Equal(200, ok.Status);
        Assert.Equal("hello", ok.BodyText);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(45));
        // The refused body never reached the origin.
        Assert.Equal("/hello", Assert.Single(origin.Seen).PathAndQuery);
    }

    [Fact]
    public async Task UntrustedRead_WithoutTheLimit_OrWithWrongCredentials_ClosesAfterThe407()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var plain = await ProxyUnderTest.StartAsync(UserYaml(""));
        await using var limited = await ProxyUnderTest.StartAsync(UserYaml("untrusted_read_speed_limit: 1M"));

        await using var noLimit = await RawHttp.ConnectAsync(plain.Endpoint());
        await noLimit.SendAsync(Post(origin.Url("/echo"), 10) + "0123456789");
        var first = await noLimit.ReadResponseAsync();
        await using var wrong = await RawHttp.ConnectAsync(limited.Endpoint());
        await wrong.SendAsync(Post(origin.Url("/echo"), 10, BasicAuth.Encode("root", "nope")) + "0123456789");
        var second = await wrong.ReadResponseAsync();

        Assert.Equal(407, first.Status);
        Assert.Equal("close", first.Header("Connection"));
        Assert.True(await noLimit.ClosedByPeerAsync());
        Assert.Equal(407, second.Status);
        Assert.Equal("close", second.Header("Connection"));
        Assert.True(await wrong.ClosedByPeerAsync());
        Assert.Empty(origin.Seen);
    }
}
