using Proxy.Tests.Logging;
using System.Diagnostics;
using System.Net;
using Proxy.Actors.Cluster;
using Proxy.Tests.Integration;
using Proxy.Tests.Resolvers;
using Xunit.Abstractions;

namespace Proxy.Tests.Cluster;

/// <summary>Two in-process nodes: a gateway in region a reaches an origin of region b through b's relay, over mTLS.</summary>
[Collection(NodeCollection.Name)]
public sealed class RouteRegionNodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GatewayInRegionA_ReachesAnOriginOfRegionB_ThroughItsRelay()
    {
        using var fleet = new RegionFleet();
        await using var origin = await TestOrigin.StartAsync();
        var seedPort = ClusterTestNodes.FreePort();
        string[] seeds = [$"127.0.0.1:{seedPort}"];
        var relayLog = new SharedLog();
        var gatewayLog = new SharedLog();
        var clock = Stopwatch.StartNew();
        await using var relay = await fleet.StartAsync("relay", fleet.RelayYaml("b"), seedPort, seeds, relayLog);
        await using var gateway = await fleet.StartAsync("gateway", fleet.GatewayYaml("a", "b", "127.0.0.0/8",
            extraEscapers: NoClientCertificate, extraServers: "  - {name: nocert, type: http_proxy, escaper: nocert, listen: 127.0.0.1:0}"), ClusterTestNodes.FreePort(), seeds, gatewayLog);
        var view = ClusterView.Get(gateway.System);

        Assert.True(await Eventually.True(() => view.Relays.LiveRelays("b").Count == 1, TimeSpan.FromSeconds(30)), "the gateway never saw region b's relay");
        output.WriteLine($"relay of region b visible to the gateway {clock.ElapsedMilliseconds} ms after start");
        var relayAddr = relay.Listening["relay"][0].ToString();
        Assert.Equal(relayAddr, view.Relays.LiveRelays("b")[0].Address);

        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://{gateway.Listening["http"][0]}"), UseProxy = true })
        { Timeout = TimeSpan.FromSeconds(30) };
        var rsp = await client.GetAsync(origin.Url("/hello?via=b"));

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Contains(origin.Seen, s => s.PathAndQuery == "/hello?via=b");
        Assert.True(await Eventually.True(() => gatewayLog.ToString().Contains($"escaper=\"regions:b:relay={relayAddr}\""), TimeSpan.FromSeconds(10)),
            "the gateway's task log does not name the relay: " + gatewayLog);
        Assert.True(await Eventually.True(() => relayLog.ToString().Contains("server_name=relay"), TimeSpan.FromSeconds(10)),
            "the relay's task log has no task");

        // The relay asks for a client certificate of the fleet's CA: a route_region without one does not get through
        // (with TLS 1.3 the relay refuses after the handshake, so the client sees the failed request, 502).
        using var noCert = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://{gateway.Listening["nocert"][0]}"), UseProxy = true })
        { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.BadGateway, (await noCert.GetAsync(origin.Url("/hello?nocert"))).StatusCode);
        Assert.DoesNotContain(origin.Seen, s => s.PathAndQuery == "/hello?nocert");
    }

    private const string NoClientCertificate = """
          - name: nocert
            type: route_region
            local_next: direct
            fallback_node: deny
            tls_client: {ca_certificate: ca.crt, no_default_ca_certificate: true}
            rules: [{region: b, subnet_match: [127.0.0.0/8]}]
        """;
}
