using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Proxy.Actors.Users;
using Xunit.Abstractions;

namespace Proxy.Tests.Integration;

/// <summary>A user's limits on an http_proxy: rates (429), alive requests, socket and all-connection speed, blocking.</summary>
[Collection(NodeCollection.Name)]
public sealed class HttpProxyUserLimitTests(ITestOutputHelper output)
{
    private static HttpClient Client(ProxyUnderTest proxy, string user = "root", string password = "toor") =>
        HttpProxyUserTests.Client(proxy, user, password);

    [Fact]
    public async Task RequestRateLimit_ThirdRequestWithinTheMinute_Gets429()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "request_rate_limit: 2/m"));
        using var client = Client(proxy);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(origin.Url("/hello"))).StatusCode);
        Assert.Equal(2, origin.Seen.Count);
    }

    [Fact]
    public async Task ConnectionRateLimit_SecondConnectionWithinTheMinute_Gets429()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "connection_rate_limit: 1/m"));

        using (var first = Client(proxy))
        {
            // a connection's later requests take no new connection token
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync(origin.Url("/hello"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync(origin.Url("/hello"))).StatusCode);
        }
        using var second = Client(proxy);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await second.GetAsync(origin.Url("/hello"))).StatusCode);
    }

    [Fact]
    public async Task RequestMaxAlive2_ThirdConcurrentRequestFails_FirstTwoComplete()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "request_max_alive: 2"));
        using var client = Client(proxy);
        // log in once so the concurrent requests carry credentials from the start
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        var a = client.GetAsync(origin.Url("/slow/3000"));
        var b = client.GetAsync(origin.Url("/slow/3000"));
        Assert.True(await Proxy.Tests.Resolvers.Eventually.True(() => origin.Seen.Count(s => s.PathAndQuery.StartsWith("/slow", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(10)));
        using var third = Client(proxy);
        var c = await third.GetAsync(origin.Url("/slow/10"));
        Assert.Equal(HttpStatusCode.TooManyRequests, c.StatusCode);
        Assert.False(a.IsCompleted || b.IsCompleted, "the first two were still running when the third was refused");
        Assert.Equal("late", await (await a).Content.ReadAsStringAsync());
        Assert.Equal("late", await (await b).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);
    }

    [Fact]
    public async Task TcpSockSpeedLimit1M_Makes3MiBDownloadTakeAtLeast2_5s()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "tcp_sock_speed_limit: 1M"));
        using var client = Client(proxy);

        var sw = Stopwatch.StartNew();
        var body = await client.GetByteArrayAsync(origin.Url("/bytes/3145728"));
        sw.Stop();
        output.WriteLine($"3 MiB under the user's 1M socket limit: {sw.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(3145728, body.Length);
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2.5), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task TcpAllDownloadBucket_IsSharedByTheUsersConnections()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "tcp_all_download_speed_limit: 1M"));
        const int size = 1572864; // 1.5 MiB
        using var one = Client(proxy);
        using var other = Client(proxy);
        // both connections made and the path warm first: the single download's time is then the bucket's alone
        await Task.WhenAll(one.GetByteArrayAsync(origin.Url("/bytes/1")), other.GetByteArrayAsync(origin.Url("/bytes/1")));

        var sw = Stopwatch.StartNew();
        Assert.Equal(size, (await one.GetByteArrayAsync(origin.Url($"/bytes/{size}"))).Length);
        var single = sw.Elapsed;
        sw.Restart();
        var both = await Task.WhenAll(one.GetByteArrayAsync(origin.Url($"/bytes/{size}")), other.GetByteArrayAsync(origin.Url($"/bytes/{size}")));
        var pair = sw.Elapsed;
        output.WriteLine($"1.5 MiB alone: {single.TotalSeconds:F2} s; two at once: {pair.TotalSeconds:F2} s");
        Assert.All(both, b => Assert.Equal(size, b.Length));
        Assert.True(single >= TimeSpan.FromSeconds(0.9), $"alone took {single}");
        Assert.True(pair >= 2 * single, $"alone {single}, two at once {pair}");
    }

    [Fact]
    public async Task BlockingARunningUser_EndsItsDownload_WithinTwoIdleChecks()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(serverExtra: "task_idle_check_interval: 2s"));
        var group = await proxy.Node.System.ActorSelection("/user/node/user-groups/staff/handle").ResolveOne(TimeSpan.FromSeconds(10));
        var published = await group.Ask<UserGroupActor.PublishUsersResult>(new UserGroupActor.PublishUsers("""[{"name": "dyn", "token": null}]"""), TimeSpan.FromSeconds(10));
        Assert.True(published.Ok, published.Error);
        using var client = Client(proxy, "dyn", "any");

        // 200 chunks of 10 kB, 50 ms apart: about 10 s unless ended
        using var rsp = await client.GetAsync(origin.Url("/throttled/2000000/10000/50"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        var body = await rsp.Content.ReadAsStreamAsync();
        var reading = body.CopyToAsync(Stream.Null);

        var blocked = await group.Ask<UserGroupActor.PublishUsersResult>(new UserGroupActor.PublishUsers("""[{"name": "dyn", "token": null, "block_and_delay": "1s"}]"""), TimeSpan.FromSeconds(10));
        Assert.True(blocked.Ok, blocked.Error);
        var sw = Stopwatch.StartNew();
        var ended = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(4.5)));
        output.WriteLine($"download ended {sw.Elapsed.TotalSeconds:F2} s after the block");
        Assert.Same(reading, ended);
        await Assert.ThrowsAnyAsync<IOException>(() => reading);
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("reason=CanceledAsUserBlocked") && l.Contains("user=dyn")));

        // a new request of the blocked user: 403 after its delay
        using var again = Client(proxy, "dyn", "any");
        Assert.Equal(HttpStatusCode.Forbidden, (await again.GetAsync(origin.Url("/hello"))).StatusCode);
    }

    [Fact]
    public async Task UserTaskIdleMaxCount_EndsItsIdleTunnel_WhileTheServersCountKeepsOthers()
    {
        await using var origin = new ScriptedOrigin(reply: null); // accepts and stays silent
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(
            rootExtra: "task_idle_max_count: 2",
            groupExtra: "anonymous_user: {name: anon}",
            serverExtra: "task_idle_check_interval: 1s\ntask_idle_max_count: 60"));
        var authority = $"127.0.0.1:{origin.Port}";
        await using var rootTunnel = await RawHttp.ConnectAsync(proxy.Endpoint());
        await using var anonTunnel = await RawHttp.ConnectAsync(proxy.Endpoint());
        await rootTunnel.SendAsync($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nProxy-Authorization: {Proxy.Actors.Protocols.Http1.BasicAuth.Encode("root", "toor")}\r\n\r\n");
        await anonTunnel.SendAsync($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        Assert.Equal(200, (await rootTunnel.ReadResponseAsync(headRequest: true)).Status);
        Assert.Equal(200, (await anonTunnel.ReadResponseAsync(headRequest: true)).Status);

        var sw = Stopwatch.StartNew();
        // root's 2 idle checks of 1 s: closed after 2-3 s (generous bound for a busy machine)
        Assert.True(await rootTunnel.ClosedByPeerAsync(timeoutMs: 15000), "root's idle tunnel was not closed");
        output.WriteLine($"root's idle tunnel closed after {sw.Elapsed.TotalSeconds:F2} s");
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(1), $"closed after {sw.Elapsed}");
        // the anonymous user has no count of its own: the server's 60 checks keep its tunnel
        Assert.False(await anonTunnel.ClosedByPeerAsync(timeoutMs: 1500), "anon's tunnel was closed with root's");
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("user=root") && l.Contains("reason=Idle")));
    }

    /// <summary>Root's client when the group has an anonymous user (no 407 ever comes): Basic on every request.</summary>
    private static HttpClient PreemptiveRoot(ProxyUnderTest proxy)
    {
        var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy(proxy.ProxyUri()), UseProxy = true });
        client.DefaultRequestHeaders.Add("Proxy-Authorization", Proxy.Actors.Protocols.Http1.BasicAuth.Encode("root", "toor"));
        return client;
    }

    [Fact]
    public async Task UserRspHeaderRecvTimeout_ReplacesTheServers_504()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(
            rootExtra: "http_rsp_header_recv_timeout: 1s",
            groupExtra: "anonymous_user: {name: anon}",
            serverExtra: "rsp_header_recv_timeout: 30s"));
        using var root = PreemptiveRoot(proxy);
        var sw = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await root.GetAsync(origin.Url("/slow/4000"))).StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3.5), $"504 after {sw.Elapsed}");
        // a user without its own timeout waits as long as the server's
        using var anon = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy(proxy.ProxyUri()), UseProxy = true });
        var rsp = await anon.GetAsync(origin.Url("/slow/2000"));
        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("late", await rsp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UserTcpConnect_ClampsTheEscapersRetries()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(
            rootExtra: "tcp_connect: {max_retry: 0}",
            groupExtra: "anonymous_user: {name: anon, tcp_connect: {max_retry: 5}}"));
        var port = HttpErrorStatusTests.ClosedPort();
        using var root = PreemptiveRoot(proxy);
        Assert.Equal((HttpStatusCode)521, (await root.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);
        using var anon = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy(proxy.ProxyUri()), UseProxy = true });
        Assert.Equal((HttpStatusCode)521, (await anon.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);
        // root: 1 try; anon asks for more than the escaper's default max_retry 2 and gets the escaper's 3 tries
        Assert.Contains("tcp_connect_tries=1", Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("user=root") && l.Contains("rsp_status=521"))));
        Assert.Contains("tcp_connect_tries=3", Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("user=anon") && l.Contains("rsp_status=521"))));
    }
}
