using System.Collections.Immutable;
using System.Net;
using Proxy.Actors.Cluster;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Config.Escapers;
using Proxy.Tests.Escapers.Proxy;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Escapers.Route;

public sealed class RouteRegionEscaperTests : IDisposable
{
    private readonly HandleRegistry<IEscaper> _escapers = new(name => new DummyDenyEscaper(name));
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));
    private readonly ClusterView _view = new("a");
    private readonly TestCertificates _certs = new();

    public RouteRegionEscaperTests()
    {
        _escapers.Publish("direct", new TaggedEscaper("direct"));
        _escapers.Publish("fallback", new TaggedEscaper("fallback"));
    }

    public void Dispose() => _certs.Dispose();

    private RouteRegionEscaperConfig Config(params RouteRule[] rules) => new()
    {
        Name = "regions",
        Position = new ConfigPosition("t.yml", 1),
        LocalNext = "direct",
        FallbackNode = "fallback",
        TlsClient = TlsClientConfig.Default with { CaCertificatePem = _certs.CaPem, NoDefaultCaCertificate = true },
        PeerNegotiationTimeout = TimeSpan.FromSeconds(5),
        Rules = rules,
    };

    private IEscaper Build(RouteRegionEscaperConfig config) => EscaperFactory.Create(config, _resolvers, TimeProvider.System, _escapers, cluster: _view);

    private static EscapeRequest Request(string host, int port = 443) =>
        new(new TaskNotes { ServerType = "HttpProxy", ServerName = "t", StartAt = DateTimeOffset.UtcNow }, new UpstreamAddr(host, port), EscapeWant.Tcp);

    private static async Task<string> Via(IEscaper route, EscapeRequest request)
    {
        var result = await route.EscapeAsync(request, CancellationToken.None);
        if (!result.Ok) return "error:" + result.Error;
        var tag = result.Stream is TaggedStream t ? t.Tag : "relay";
        await result.DisposeUpstreamAsync();
        return tag;
    }

    private void Relays(string region, params RelayEndpoint[] relays) =>
        _view.Relays.Publish(ImmutableDictionary<string, IReadOnlyList<RelayEndpoint>>.Empty.Add(region, relays));

    private static RelayEndpoint Relay(int port, long load, string tlsName = "localhost") =>
        new("b", "relay", $"127.0.0.1:{port}", tlsName, load, $"akka.tcp://G3Actors@127.0.0.1:{port}");

    [Fact]
    public void Config_ParsesRulesPerRegion_AndRefusesWhatRouteUpstreamRefuses()
    {
        var c = Assert.IsType<RouteRegionEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: regions
                type: route_region
                local_next: direct
                fallback_node: direct
                proxy_username: u
                proxy_password: p
                rules:
                  - region: b
                    exact_match: [B.Example.]
                    child_match: [b.example.net]
                    regex_match: ['^x\d+\.b$']
                    subnet_match: [10.2.0.0/16]
            """).Escapers, e => e.Name == "regions"));
        Assert.Equal("RouteRegion", c.TypeName);
        Assert.Equal(["exact:b.example", "child:b.example.net", @"regex:^x\d+\.b$", "subnet:10.2.0.0/16"], c.Rules.Select(r => r.Key));
        Assert.All(c.Rules, r => Assert.Equal("b", r.Region));
        Assert.Equal("u", c.ProxyUsername);

        Assert.Contains("fallback_node", EscaperConfigLoad.Refused("  - name: r\n    type: route_region\n    local_next: d\n").Message);
        Assert.Contains("invalid regex", EscaperConfigLoad.Refused(
            "  - name: r\n    type: route_region\n    local_next: d\n    fallback_node: d\n    rules:\n      - region: b\n        regex_match: ['(']\n").Message);
        Assert.Contains("suffix_match", EscaperConfigLoad.Refused(
            "  - name: r\n    type: route_region\n    local_next: d\n    fallback_node: d\n    rules:\n      - region: b\n        suffix_match: [x]\n").Message);
    }

    [Fact]
    public async Task OwnRegionAndUnmatched_GoLocal_RegionWithoutRelay_GoesToFallback_AndTheTaskSaysSo()
    {
        var route = Build(Config(new RouteRule(RouteRuleKind.Child, "a.example", "a"), new RouteRule(RouteRuleKind.Subnet, "10.2.0.0/16", "b")));

        Assert.Equal("direct", await Via(route, Request("www.a.example")));
        Assert.Equal("direct", await Via(route, Request("elsewhere.example")));
        var toB = Request("10.2.3.4");
        Assert.Equal("fallback", await Via(route, toB));
        Assert.Equal("regions:b:fallback=fallback", toB.Task.Escaper);
    }

    [Fact]
    public async Task ReplicatedRules_WinOverStaticOnes_AndApplyFromTheNextRequest()
    {
        var route = Build(Config(new RouteRule(RouteRuleKind.Exact, "moved.example", "b")));
        Assert.Equal("fallback", await Via(route, Request("moved.example")));

        _view.Routes.Publish([new RouteRule(RouteRuleKind.Exact, "moved.example", "a"), new RouteRule(RouteRuleKind.Regex, "^x\\d+$", "b"),
            new RouteRule(RouteRuleKind.Regex, "(", "b")]);

        Assert.Equal("direct", await Via(route, Request("moved.example")));
        Assert.Equal("fallback", await Via(route, Request("x42")));
    }

    [Fact]
    public async Task RemoteRegion_GoesThroughTheLeastLoadedRelay_OverVerifiedTls()
    {
        await using var busy = new ScriptedProxy(ProxyAct.Echo, certificate: _certs.ServerCertificate);
        await using var idle = new ScriptedProxy(ProxyAct.Echo, certificate: _certs.ServerCertificate);
        Relays("b", Relay(busy.Port, load: 9), Relay(idle.Port, load: 1));
        var route = Build(Config(new RouteRule(RouteRuleKind.Child, "b.example", "b")) with { ProxyUsername = "u", ProxyPassword = "p" });

        var request = Request("www.b.example");
        Assert.Equal("relay", await Via(route, request));

        var head = Assert.Single(idle.Heads);
        Assert.StartsWith("CONNECT www.b.example:443 HTTP/1.1", head);
        Assert.Contains("Proxy-Authorization: Basic dTpw", head);
        Assert.Empty(busy.Heads);
        Assert.Equal($"regions:b:relay=127.0.0.1:{idle.Port}", request.Task.Escaper);
    }

    [Fact]
    public async Task RelayThatCannotBeReached_TheNextIsTriedAtOnce_NoneLeftMeansFallback()
    {
        await using var good = new ScriptedProxy(ProxyAct.Echo, certificate: _certs.ServerCertificate);
        var dead = ClusterTestNodesPort();
        Relays("b", Relay(dead, load: 0), Relay(good.Port, load: 1, tlsName: "not-the-relay.test"), Relay(good.Port, load: 2));
        var route = Build(Config(new RouteRule(RouteRuleKind.Exact, "b.example", "b")));

        Assert.Equal("relay", await Via(route, Request("b.example")));
        Assert.Single(good.Heads); // the wrong TLS name was refused before any request

        Relays("b", Relay(dead, load: 0));
        var request = Request("b.example");
        Assert.Equal("fallback", await Via(route, request));
        Assert.Equal("regions:b:fallback=fallback", request.Task.Escaper);
    }

    private static int ClusterTestNodesPort() => global::Proxy.Tests.Cluster.ClusterTestNodes.FreePort();
}
