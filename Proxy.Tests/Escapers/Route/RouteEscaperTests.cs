using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Route;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Config.Escapers;

namespace Proxy.Tests.Escapers.Route;

public sealed class RouteEscaperTests
{
    private readonly HandleRegistry<IEscaper> _escapers = new(name => new DummyDenyEscaper(name));
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    public RouteEscaperTests()
    {
        foreach (var n in new[] { "a", "b", "c", "d", "e", "fallback" }) _escapers.Publish(n, new TaggedEscaper(n));
    }

    private static EscapeRequest Request(string host, string client = "192.0.2.10", string? user = null) =>
        new(new TaskNotes
        {
            ServerType = "HttpProxy",
            ServerName = "t",
            StartAt = DateTimeOffset.UtcNow,
            User = user,
            ClientAddr = new IPEndPoint(IPAddress.Parse(client), 50000),
        }, new UpstreamAddr(host, 443), EscapeWant.Tcp);

    private IEscaper Build(string yaml)
    {
        var config = Assert.Single(EscaperConfigLoad.Load(yaml).Escapers, e => e.Name == "route");
        return EscaperFactory.Create(config, _resolvers, TimeProvider.System, _escapers);
    }

    private static async Task<string> Via(IEscaper route, EscapeRequest request)
    {
        var result = await route.EscapeAsync(request, CancellationToken.None);
        return result.Ok ? ((TaggedStream)result.Stream!).Tag : "error:" + result.Error;
    }

    [Fact]
    public async Task RouteUpstream_SendsNamesAndAddressesByTheirRules()
    {
        var route = Build("""
              - name: route
                type: route_upstream
                exact_match:
                  - next: a
                    hosts: [exact.example, 10.1.2.3]
                subnet_match:
                  b: [10.0.0.0/8]
                  c: [10.1.0.0/16]
                child_match:
                  - next: d
                    domain: child.example
                suffix_match:
                  - next: e
                    suffixes: [xample.org]
                regex_match:
                  - next: b
                    rules:
                      - parent: regex.example
                        regex: ^api[0-9]+$
                      - ^cdn-.*
                default_next: fallback
            """);

        Assert.Equal("a", await Via(route, Request("Exact.Example.")));
        Assert.Equal("a", await Via(route, Request("10.1.2.3")));
        Assert.Equal("c", await Via(route, Request("10.1.9.9")));
        Assert.Equal("b", await Via(route, Request("10.200.0.1")));
        Assert.Equal("d", await Via(route, Request("child.example")));
        Assert.Equal("d", await Via(route, Request("deep.www.child.example")));
        Assert.Equal("fallback", await Via(route, Request("notchild.example")));
        Assert.Equal("e", await Via(route, Request("www.example.org")));
        Assert.Equal("b", await Via(route, Request("api12.regex.example")));
        Assert.Equal("fallback", await Via(route, Request("www.regex.example")));
        Assert.Equal("b", await Via(route, Request("cdn-7.anything.net")));
        Assert.Equal("fallback", await Via(route, Request("192.168.1.1")));
    }

    [Fact]
    public async Task RouteUpstream_MissingNextEscaper_ActsAsDummyDeny()
    {
        var route = Build("  - name: route\n    type: route_upstream\n    default_next: nowhere\n");
        Assert.Equal("error:EscaperNotUsable", await Via(route, Request("example.net")));
    }

    [Fact]
    public async Task RouteUpstream_LooksUpTheNextEscaperPerCall()
    {
        var route = Build("  - name: route\n    type: route_upstream\n    default_next: later\n");
        Assert.Equal("error:EscaperNotUsable", await Via(route, Request("example.net")));
        _escapers.Publish("later", new TaggedEscaper("later"));
        Assert.Equal("later", await Via(route, Request("example.net")));
    }

    [Fact]
    public async Task RouteClient_ExactThenLongestSubnet_ThenDefault()
    {
        var route = Build("""
              - name: route
                type: route_client
                exact_match:
                  - next: a
                    ips: [192.0.2.10]
                subnet_match:
                  - next: b
                    subnets: [198.51.100.0/24]
                  - next: c
                    subnets: [198.51.100.128/25, '2001:db8::/32']
                default_next: fallback
            """);

        Assert.Equal("a", await Via(route, Request("x.test", client: "192.0.2.10")));
        Assert.Equal("a", await Via(route, Request("x.test", client: "::ffff:192.0.2.10")));
        Assert.Equal("b", await Via(route, Request("x.test", client: "198.51.100.1")));
        Assert.Equal("c", await Via(route, Request("x.test", client: "198.51.100.200")));
        Assert.Equal("c", await Via(route, Request("x.test", client: "2001:db8::5")));
        Assert.Equal("fallback", await Via(route, Request("x.test", client: "203.0.113.1")));
    }

    [Fact]
    public async Task RouteSelect_KetamaKeepsAKeyOnOneNode_AndWeightsSpreadRandomPicks()
    {
        var ketama = Build("""
              - name: route
                type: route_select
                next_nodes: [a, b, c]
            """);
        var picks = new List<string>();
        for (var i = 0; i < 50; i++) picks.Add(await Via(ketama, Request("same.example", user: "u1")));
        Assert.Single(picks.Distinct());
        var spread = new HashSet<string>();
        for (var i = 0; i < 60; i++) spread.Add(await Via(ketama, Request($"host{i}.example")));
        Assert.Equal(3, spread.Count);

        var weighted = Build("""
              - name: route
                type: route_select
                next_pick_policy: random
                next_nodes:
                  - name: a
                    weight: 9
                  - name: b
                    weight: 1
                  - name: c
                    weight: 0
            """);
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var i = 0; i < 2000; i++) counts[await Via(weighted, Request("x.example"))]++;
        Assert.InRange(counts["a"], 1650, 1950);
        Assert.InRange(counts["b"], 50, 350);
        Assert.Equal(0, counts["c"]);
    }

    [Fact]
    public async Task RouteSelect_RoundRobin_CyclesInConfigOrder()
    {
        var route = Build("  - name: route\n    type: route_select\n    next_pick_policy: rr\n    next_nodes: [a, b, c]\n");
        var picks = new List<string>();
        for (var i = 0; i < 6; i++) picks.Add(await Via(route, Request("x.example")));
        Assert.Equal(["a", "b", "c", "a", "b", "c"], picks);
    }

    [Fact]
    public async Task RouteMapping_WithoutAnIndex_PicksAmongItsNextEscapers()
    {
        var route = Build("  - name: route\n    type: route_mapping\n    next: [a, b]\n");
        var seen = new HashSet<string>();
        for (var i = 0; i < 100; i++) seen.Add(await Via(route, Request("x.example")));
        Assert.Equal(["a", "b"], seen.Order());
    }

    [Theory]
    [InlineData(1, "a")]
    [InlineData(2, "b")]
    [InlineData(3, "c")]
    [InlineData(0, "c")] // 0 is the last
    [InlineData(4, "a")] // larger ids wrap
    [InlineData(8, "b")]
    public async Task RouteMapping_ThePathNumberId_PicksTheNextEscaper(int id, string expected)
    {
        var route = Build("  - name: route\n    type: route_mapping\n    next: [a, b, c]\n");
        var request = Request("x.example");
        request.Task.EgressPath = new EgressPathSelection();
        request.Task.EgressPath.SetNumberId("route", id);
        for (var i = 0; i < 10; i++) Assert.Equal(expected, await Via(route, request));

        // an id for another escaper is not this one's: random again
        var other = Request("x.example");
        other.Task.EgressPath = new EgressPathSelection();
        other.Task.EgressPath.SetNumberId("elsewhere", id);
        var seen = new HashSet<string>();
        for (var i = 0; i < 100; i++) seen.Add(await Via(route, other));
        Assert.Equal(["a", "b", "c"], seen.Order());
    }

    [Fact]
    public async Task RouteSelect_TheUsersPathStringId_NamesTheNextNode_BeforeTheServersAndThePolicy()
    {
        var route = Build("  - name: route\n    type: route_select\n    next_nodes: [a, b, c]\n");
        EscapeRequest As(string id)
        {
            var request = Request($"host{Random.Shared.Next()}.example");
            request.Task.UserEgressPath = EgressPathSelection.FromUser(new Dictionary<string, string> { ["route"] = id }, new Dictionary<string, string>());
            request.Task.EgressPath = new EgressPathSelection();
            request.Task.EgressPath.SetStringId("route", "a");
            return request;
        }

        for (var i = 0; i < 20; i++) Assert.Equal("b", await Via(route, As("b")));
        // a name that is not one of next_nodes fails the task (g3: no next escaper found)
        Assert.Equal("error:" + EscapeErrorKind.EscaperNotUsable, await Via(route, As("z")));
    }

    [Fact]
    public async Task RouteResolved_IpTargets_ByLongestPrefix_AndResolveFailure_Is530()
    {
        var route = Build("""
              - name: route
                type: route_resolved
                resolver: r
                lpm_match:
                  - next: a
                    networks: [10.0.0.0/8]
                  - next: b
                    networks: [10.9.0.0/16]
                default_next: fallback
            """);
        Assert.Equal("a", await Via(route, Request("10.1.1.1")));
        Assert.Equal("b", await Via(route, Request("10.9.1.1")));
        Assert.Equal("fallback", await Via(route, Request("172.16.0.1")));
        // 'r' is not published here: it acts as deny_all, so the name does not resolve.
        Assert.Equal("error:ResolveFailed", await Via(route, Request("www.example")));
    }

    [Fact]
    public async Task TrickFloat_SpreadsOverItsNextEscapers_IgnoringDuplicates()
    {
        var route = Build("  - name: route\n    type: trick_float\n    next: [a, b, a]\n");
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        for (var i = 0; i < 400; i++) counts[await Via(route, Request("x.example"))]++;
        Assert.InRange(counts["a"], 120, 280);
        Assert.InRange(counts["b"], 120, 280);
    }

    [Fact]
    public async Task ComplyAudit_PassesToNext_AndNamesTheAuditorInTheTaskNotes()
    {
        var route = Build("""
              - name: route
                type: comply_audit
                next: b
                auditor: strict
            """);
        var request = Request("www.example.net");

        Assert.Equal("b", await Via(route, request));
        Assert.Equal("strict", request.Task.Auditor);
        var e = EscaperConfigLoad.Refused("  - name: route\n    type: comply_audit\n    next: b\n    extra_metrics_tags: {a: b}\n");
        Assert.Contains("escaper 'route'", e.Message);
        Assert.Contains("unknown key 'extra_metrics_tags'", e.Message);
        Assert.Contains("missing required key 'auditor'", EscaperConfigLoad.Refused("  - name: route\n    type: comply_audit\n    next: b\n").Message);
    }
}
