using System.Net;
using Akka.Actor;
using Proxy.Actors.Users;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// g3's user metrics for what happens around the requests: refused logins (user.forbidden.auth_failed,
/// user_expired, user_blocked, src_blocked, and the servers' server.forbidden.*), the open HTTP connections (user.l7.connection.alive),
/// log_rate_limit (user.forbidden.log_skipped), stream servers' facts users, and a user's counters
/// dropped once it left its group. A real node, real clients, and a StatsD receiver in the test.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class UserStatsdEventsTests
{
    private static string Stat(int port) => $"""

        stat:
          target_udp: 127.0.0.1:{port}
          emit_interval: 100ms
        """;

    private static string Users(string users) => $"""

          - name: socks
            type: socks_proxy
            escaper: direct
            user_group: staff
            listen: 127.0.0.1:0
        user_group:
          - name: staff
            static_users:
        {users}
        """;

    private static string User(string name, string extra = "") =>
        $"      - name: {name}\n        token: {HttpProxyUserTests.RootToken}\n" + (extra.Length == 0 ? "" : $"        {extra}\n");

    private static Task<(int Code, string Stdout, string Stderr)> CurlHttp(ProxyUnderTest proxy, string credentials, string url) =>
        SocksProxyTests.Curl($"-o /dev/null -w %{{http_code}} -x http://{credentials}@{proxy.Endpoint()} {url}");

    [Fact]
    public async Task RefusedLogins_AndServerDestDenials_CountAsTheUsersForbiddenReasons_OnTheServerThatRefused()
    {
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "user_group: staff\ndst_port_filter: {forbid: [1], default: permit}")
            + Users(User("root") + User("old", "expire: 2000-01-01T00:00:00Z") + User("blk", "block_and_delay: 10ms")
                + User("fenced", "ingress_network_filter: {default: permit, forbid: [127.0.0.1]}"))
            + Stat(statsd.Port));

        Assert.Equal("407", (await CurlHttp(proxy, "root:wrong", origin.Url("/hello"))).Stdout);
        Assert.Equal("407", (await CurlHttp(proxy, "root:wrong", origin.Url("/hello"))).Stdout);
        Assert.Equal("407", (await CurlHttp(proxy, "old:toor", origin.Url("/hello"))).Stdout);
        Assert.Equal("403", (await CurlHttp(proxy, "blk:toor", origin.Url("/hello"))).Stdout);
        Assert.NotEqual("200", (await CurlHttp(proxy, "fenced:toor", origin.Url("/hello"))).Stdout);
        // an unknown name counts for no user
        Assert.Equal("407", (await CurlHttp(proxy, "nobody:toor", origin.Url("/hello"))).Stdout);
        // the server's own dst_port_filter refuses it after the user's rules passed: the user's dest_denied too (g3)
        Assert.Equal("403", (await CurlHttp(proxy, "root:toor", "http://127.0.0.1:1/")).Stdout);
        Assert.NotEqual(0, (await SocksProxyTests.Curl($"--socks5 root:wrong@{proxy.Endpoint("socks")} {origin.Url("/hello")}")).Code);
        Assert.NotEqual(0, (await SocksProxyTests.Curl($"--socks5 fenced:toor@{proxy.Endpoint("socks")} {origin.Url("/hello")}")).Code);

        string[] http = ["user_group:staff", "user_type:Static", "server:http"];
        string[] socks = ["user_group:staff", "user_type:Static", "server:socks"];
        Assert.True(await Eventually.True(() =>
                statsd.Sum("user.forbidden.auth_failed", [.. http, "user:root"]) == 2
                && statsd.Sum("user.forbidden.user_expired", [.. http, "user:old"]) == 1
                && statsd.Sum("user.forbidden.user_blocked", [.. http, "user:blk"]) == 1
                && statsd.Sum("user.forbidden.src_blocked", [.. http, "user:fenced"]) == 1
                && statsd.Sum("user.forbidden.auth_failed", [.. socks, "user:root"]) == 1
                && statsd.Sum("user.forbidden.src_blocked", [.. socks, "user:fenced"]) == 1
                && statsd.Sum("user.forbidden.dest_denied", [.. http, "user:root"]) == 1),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("forbidden")).Take(40)));
        // The servers' own family (g3's server.forbidden.*): every refused login but the blocked one is
        // auth_failed, the unknown name included; dest_denied only for the server's own rules.
        Assert.True(await Eventually.True(() =>
                statsd.Sum("server.forbidden.auth_failed", "server:http") == 5
                && statsd.Sum("server.forbidden.user_blocked", "server:http") == 1
                && statsd.Sum("server.forbidden.dest_denied", "server:http") == 1
                && statsd.Sum("server.forbidden.auth_failed", "server:socks") == 2),
            string.Join("\n", statsd.Lines.Where(l => l.StartsWith("g3proxy.server.forbidden")).Take(40)));
        Assert.Equal(0, statsd.Sum("server.forbidden.user_blocked", "server:socks") + statsd.Sum("server.forbidden.dest_denied", "server:socks"));
        Assert.DoesNotContain(statsd.Lines, l => l.Contains("user:nobody"));
        // refused logins are no requests of the user: only the dest-denied one is
        Assert.Equal(1, statsd.Sum("user.request.total", [.. http, "user:root"]));
    }

    [Fact]
    public async Task L7ConnectionAlive_IsTheUsersOpenHttpConnections()
    {
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "user_group: staff")
            + Users(User("root")) + Stat(statsd.Port));
        string[] tags = ["user_group:staff", "user:root", "user_type:Static", "server:http", "connection:http"];

        var first = HttpProxyUserTests.Client(proxy);
        var second = HttpProxyUserTests.Client(proxy);
        // two requests on each kept-alive connection: one connection each
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("hello", await first.GetStringAsync(origin.Url("/hello")));
            Assert.Equal("hello", await second.GetStringAsync(origin.Url("/hello")));
        }
        Assert.True(await Eventually.True(() => statsd.LastGauge("user.l7.connection.alive", tags) == 2),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("l7")).TakeLast(5)));
        first.Dispose();
        Assert.True(await Eventually.True(() => statsd.LastGauge("user.l7.connection.alive", tags) == 1));
        second.Dispose();
        Assert.True(await Eventually.True(() => statsd.LastGauge("user.l7.connection.alive", tags) == 0));
        Assert.Equal(2, statsd.Sum("user.connection.total", tags));
    }

    [Fact]
    public async Task LogRateLimit_SkipsTheUsersTaskLinesBeyondTheRate_AndCountsThemAsLogSkipped()
    {
        const int requests = 6;
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        // one line a minute: the first request's line is written, the others within the minute are skipped
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "user_group: staff")
            + Users(User("root", "log_rate_limit: 1/m") + User("free")) + Stat(statsd.Port));
        using (var root = HttpProxyUserTests.Client(proxy))
        using (var free = HttpProxyUserTests.Client(proxy, "free"))
        {
            for (var i = 0; i < requests; i++)
            {
                Assert.Equal("hello", await root.GetStringAsync(origin.Url("/hello")));
                Assert.Equal("hello", await free.GetStringAsync(origin.Url("/hello")));
            }
        }
        string[] tags = ["user_group:staff", "user:root", "user_type:Static", "server:http"];
        Assert.True(await Eventually.True(() => statsd.Sum("user.forbidden.log_skipped", tags) == requests - 1
                && statsd.Sum("user.request.total", [.. tags, "request:http_forward"]) == requests),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("user:root")).Take(40)));
        // the user without a limit has every line; the limited one has one
        Assert.Equal(requests, (await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward") && l.Contains("user=free"), requests)).Length);
        var logged = proxy.TaskLog.ToString().Split('\n').Count(l => l.Contains("task_type=HttpForward") && l.Contains("user=root"));
        Assert.Equal(1, logged);
        Assert.Equal(0, statsd.Sum("user.forbidden.log_skipped", "user:free"));
    }

    [Fact]
    public async Task StreamServer_FactsUser_CountsTcpConnectRequests_TrafficAndDestDenied()
    {
        await using var statsd = new StatsdReceiver();
        await using var backend = new IdBackend("echo");
        await using var proxy = await ProxyUnderTest.StartAsync(StreamServerTests.WithServers($$"""
              - name: s
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                upstream: 127.0.0.1:{{backend.Port}}
                user_group: facts
                auth_by_client_ip: true
              - name: denied
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                upstream: 127.0.0.1:1
                user_group: facts
                auth_by_client_ip: true
            user_group:
              - name: facts
                type: facts
                static_users:
                  - name: loopback
                    match_by_facts: ["ip:127.0.0.1"]
                    dst_port_filter: {forbid: [1], default: permit}
            """) + Stat(statsd.Port));

        for (var i = 0; i < 3; i++) Assert.StartsWith("echo\nping", await StreamServerTests.ReadIdAsync(proxy.Endpoint("s"), "ping"));
        Assert.Equal("", await StreamServerTests.ReadIdAsync(proxy.Endpoint("denied")));

        string[] s = ["user_group:facts", "user:loopback", "user_type:Static", "server:s"];
        string[] denied = ["user_group:facts", "user:loopback", "user_type:Static", "server:denied"];
        Assert.True(await Eventually.True(() =>
                statsd.Sum("user.request.total", [.. s, "request:tcp_connect"]) == 3
                && statsd.LastGauge("user.request.alive", [.. s, "request:tcp_connect"]) == 0
                && statsd.Sum("user.forbidden.dest_denied", denied) == 1
                && statsd.Sum("server.task.total", "server:s") == 3),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("user") || l.Contains("server.task")).Take(60)));
        Assert.Equal(1, statsd.Sum("user.request.total", [.. denied, "request:tcp_connect"]));
        // the client sent "ping" three times and got the id line and the echo back each time
        Assert.Equal(3 * "ping".Length, statsd.Sum("user.traffic.in.bytes", [.. s, "request:tcp_connect"]));
        Assert.Equal(3 * "echo\nping".Length, statsd.Sum("user.traffic.out.bytes", [.. s, "request:tcp_connect"]));
        Assert.Equal(3 * "ping".Length, statsd.Sum("user.upstream.traffic.out.bytes", "user:loopback", "escaper:direct", "transport:tcp"));
        // g3's stream servers count no client connection and no ready request for the user
        Assert.DoesNotContain(statsd.Lines, l => l.StartsWith("g3proxy.user.connection.total:") || l.StartsWith("g3proxy.user.request.ready:"));
    }

    [Fact]
    public async Task AUserLeavingItsGroup_HasALastEmit_ThenItsCountersAreDropped()
    {
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "user_group: staff")
            + Users(User("root")) + Stat(statsd.Port));
        var group = await proxy.Node.System.ActorSelection("/user/node/user-groups/staff/handle").ResolveOne(TimeSpan.FromSeconds(10));
        var published = await group.Ask<UserGroupActor.PublishUsersResult>(new UserGroupActor.PublishUsers("""[{"name": "dyn", "token": null}]"""), TimeSpan.FromSeconds(10));
        Assert.True(published.Ok, published.Error);
        using (var dyn = HttpProxyUserTests.Client(proxy, "dyn", "any"))
        using (var root = HttpProxyUserTests.Client(proxy))
        {
            Assert.Equal("hello", await dyn.GetStringAsync(origin.Url("/hello")));
            Assert.Equal("hello", await root.GetStringAsync(origin.Url("/hello")));
        }
        string[] dynTags = ["user_group:staff", "user:dyn", "user_type:Dynamic", "server:http", "request:http_forward"];
        Assert.True(await Eventually.True(() => statsd.Sum("user.request.total", dynTags) == 1
            && statsd.LastGauge("user.request.alive", dynTags) == 0));

        // the dynamic set without dyn: it leaves the group
        var removed = await group.Ask<UserGroupActor.PublishUsersResult>(new UserGroupActor.PublishUsers("[]"), TimeSpan.FromSeconds(10));
        Assert.True(removed.Ok, removed.Error);
        var mark = statsd.Lines.Count();
        static bool Alive(string l, string user) => l.StartsWith("g3proxy.user.request.alive:") && l.Contains($",user:{user},") && l.Contains("request:http_forward");
        // Several emits later root's gauge is still sent every time, and dyn's is not: it had its last
        // emit. Datagrams of an emit from before the removal may still arrive after the mark, so only
        // the lines after root's third gauge since the mark (two emits on at least) must lack dyn.
        Assert.True(await Eventually.True(() => statsd.Lines.Skip(mark).Count(l => Alive(l, "root")) >= 5),
            string.Join("\n", statsd.Lines.Skip(mark).Where(l => l.Contains("request.alive")).Take(20)));
        var after = statsd.Lines.Skip(mark).ToList();
        var third = after.Select((l, i) => (l, i)).Where(x => Alive(x.l, "root")).Skip(2).First().i;
        Assert.DoesNotContain(after.Skip(third), l => Alive(l, "dyn"));
        Assert.Equal(1, statsd.Sum("user.request.total", dynTags));
    }
}
