using System.Net;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// g3's user and user.site StatsD families from a real node: an http_proxy and a socks_proxy sharing
/// a user group, driven by real clients, and the lines a UDP receiver in the test gets.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class UserStatsdTests
{
    private static string Yaml(int statsdPort) =>
        ProxyUnderTest.HttpProxyYaml(serverExtra: "user_group: staff\nextra_metrics_tags: {pool: blue}") + $$"""

          - name: socks
            type: socks_proxy
            escaper: direct
            user_group: staff
            listen: 127.0.0.1:0
        user_group:
          - name: staff
            static_users:
              - name: root
                token: {{HttpProxyUserTests.RootToken}}
                dst_host_filter_set: {exact: {forbid: [forbidden.test], default: permit} }
                explicit_sites:
                  - id: lab
                    exact_match: [127.0.0.1]
                    emit_stats: true
        stat:
          target_udp: 127.0.0.1:{{statsdPort}}
          emit_interval: 100ms
        """;

    [Fact]
    public async Task UserAndSiteFamilies_CarryG3NamesAndTags_WithCountsOfTheRequestsMade()
    {
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(statsd.Port));

        // http_proxy: three forwards on one kept-alive connection, and one the user's dst filter refuses.
        using (var client = HttpProxyUserTests.Client(proxy))
        {
            for (var i = 0; i < 3; i++) Assert.Equal("hello", await client.GetStringAsync(origin.Url("/hello")));
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"http://forbidden.test:{origin.HttpPort}/hello")).StatusCode);
            // and one the escaper's egress filter refuses (it allows 127.0.0.1 only)
            Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.2:{origin.HttpPort}/hello")).StatusCode);
        }
        // socks_proxy: two CONNECTs, a connection each.
        for (var i = 0; i < 2; i++)
        {
            var (code, body, err) = await SocksProxyTests.Curl($"--socks5 root:toor@{proxy.Endpoint("socks")} {origin.Url("/hello")}");
            Assert.True(code == 0, err);
            Assert.Equal("hello", body);
        }

        string[] onHttp = ["user_group:staff", "user:root", "user_type:Static", "server:http"];
        string[] onSocks = ["user_group:staff", "user:root", "user_type:Static", "server:socks"];
        Assert.True(await Eventually.True(() =>
                statsd.Sum("user.request.total", [.. onHttp, "request:http_forward"]) == 5
                && statsd.Sum("user.request.total", [.. onSocks, "request:socks_tcp_connect"]) == 2
                && statsd.LastGauge("user.request.alive", [.. onSocks, "request:socks_tcp_connect"]) == 0
                && statsd.LastGauge("user.request.alive", [.. onHttp, "request:http_forward"]) == 0),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("user")).Take(80)));

        Assert.Equal(1, statsd.Sum("user.forbidden.dest_denied", onHttp));
        Assert.Equal(1, statsd.Sum("user.forbidden.ip_blocked", onHttp));
        Assert.Equal(0, statsd.Sum("user.forbidden.dest_denied", onSocks));
        // the refusal of forbidden.test closes its connection: the last request comes on a second one
        Assert.Equal(2, statsd.Sum("user.connection.total", [.. onHttp, "connection:http"]));
        Assert.Equal(2, statsd.Sum("user.connection.total", [.. onSocks, "connection:socks"]));
        Assert.Equal(3, statsd.Sum("user.request.ready", [.. onHttp, "request:http_forward"]));
        // the origin keeps its connection: the second and third forwards reuse it
        Assert.Equal(2, statsd.Sum("user.request.reuse", [.. onHttp, "request:http_forward"]));
        Assert.Equal(2, statsd.Sum("user.request.ready", [.. onSocks, "request:socks_tcp_connect"]));
        // Every byte the user's tasks moved with the origin went through the one escaper.
        Assert.Equal(statsd.Sum("escaper.traffic.in.bytes", "escaper:direct"), statsd.Sum("user.upstream.traffic.in.bytes", "user:root", "escaper:direct", "transport:tcp"));
        Assert.Equal(statsd.Sum("escaper.traffic.out.bytes", "escaper:direct"), statsd.Sum("user.upstream.traffic.out.bytes", "user:root", "escaper:direct", "transport:tcp"));
        Assert.True(statsd.Sum("user.traffic.out.bytes", [.. onSocks, "request:socks_tcp_connect"]) > 0);
        Assert.True(statsd.Sum("user.traffic.in.bytes", [.. onHttp, "request:http_forward"]) > 0);

        // The site (127.0.0.1) saw the five requests that reached it, not the refused ones.
        Assert.Equal(3, statsd.Sum("user.site.lab.request.total", [.. onHttp, "request:http_forward"]));
        Assert.Equal(2, statsd.Sum("user.site.lab.request.total", [.. onSocks, "request:socks_tcp_connect"]));
        Assert.True(statsd.Sum("user.site.lab.upstream.traffic.in.bytes", "user:root", "escaper:direct", "transport:tcp") > 0);
        Assert.DoesNotContain(statsd.Lines, l => l.StartsWith("g3proxy.user.site.lab.forbidden."));

        // g3's tag order; the server's extra_metrics_tags follow the user's, the line's own tag comes last.
        Assert.Matches(@"^g3proxy\.user\.request\.total:\d+\|c\|#daemon_group:g3actors,user_group:staff,user:root,user_type:Static,stat_id:\d+,server:http,pool:blue,request:http_forward$",
            statsd.Lines.First(l => l.StartsWith("g3proxy.user.request.total:") && l.Contains("server:http")));
        Assert.Matches(@"^g3proxy\.user\.upstream\.traffic\.in\.bytes:\d+\|c\|#daemon_group:g3actors,user_group:staff,user:root,user_type:Static,stat_id:\d+,escaper:direct,transport:tcp$",
            statsd.Lines.First(l => l.StartsWith("g3proxy.user.upstream.traffic.in.bytes:")));
    }
}
