using Proxy.Actors.Config.Escapers;

namespace Proxy.Tests.Config.Escapers;

public sealed class RouteEscaperParserTests
{
    [Fact]
    public void RouteLoop_IsRefusedAtLoad_NamingTheCycle()
    {
        var e = EscaperConfigLoad.Refused("""
              - name: entry
                type: route_upstream
                default_next: first
              - name: first
                type: route_failover
                primary_next: direct
                standby_next: second
              - name: second
                type: route_select
                next_nodes: [direct, first]
              - name: direct
                type: dummy_deny
            """);
        var error = Assert.Single(e.Errors);
        Assert.Contains("route loop: first -> second -> first", error.Message);
        Assert.Equal("standby_next", error.Key);
        Assert.Contains("escaper 'first'", error.ToString());
    }

    [Fact]
    public void SelfLoop_IsRefused()
    {
        var e = EscaperConfigLoad.Refused("  - name: self\n    type: route_mapping\n    next: [self]\n");
        Assert.Contains("route loop: self -> self", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void FailoverAliases_AndDefaults()
    {
        var c = Assert.IsType<RouteFailoverEscaperConfig>(Assert.Single(EscaperConfigLoad.Load(
            "  - name: f\n    type: route_failover\n    primary: a\n    standby: b\n").Escapers));
        Assert.Equal(("a", "b"), (c.Primary, c.Standby));
        Assert.Equal(TimeSpan.FromMilliseconds(100), c.FallbackDelay);
    }

    [Theory]
    [InlineData("  - name: r\n    type: route_failover\n    primary_next: a\n", "missing required key 'standby_next'")]
    [InlineData("  - name: r\n    type: route_upstream\n    exact_match: {a: [x.example]}\n", "missing required key 'default_next'")]
    [InlineData("  - name: r\n    type: route_upstream\n    default_next: a\n    exact_match: {a: [x.example], b: [X.example]}\n", "'x.example' is set for both 'a' and 'b'")]
    [InlineData("  - name: r\n    type: route_upstream\n    default_next: a\n    regex_match: {a: ['(']}\n", "invalid regex '('")]
    [InlineData("  - name: r\n    type: route_client\n    default_next: a\n    subnet_match: [{next: a, subnets: [10.0.0.0/33]}]\n", "invalid IP network")]
    [InlineData("  - name: r\n    type: route_resolved\n    default_next: a\n", "missing required key 'resolver'")]
    [InlineData("  - name: r\n    type: route_select\n", "missing required key 'next_nodes'")]
    [InlineData("  - name: r\n    type: route_select\n    next_nodes: [a]\n    next_pick_policy: best\n", "unknown pick policy 'best'")]
    [InlineData("  - name: r\n    type: route_mapping\n    next: [a]\n    resolver: x\n", "unknown key 'resolver'")]
    public void Refusals_NameTheKey(string yaml, string message)
    {
        var e = EscaperConfigLoad.Refused(yaml);
        Assert.Contains("escaper 'r'", e.Message);
        Assert.Contains(message, e.Message);
    }
}
