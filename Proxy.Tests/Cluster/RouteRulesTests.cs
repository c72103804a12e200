using System.Diagnostics;
using Akka.Actor;
using Proxy.Actors.Cluster;
using Proxy.Tests.Integration;
using Proxy.Tests.Resolvers;
using Xunit.Abstractions;

namespace Proxy.Tests.Cluster;

[Collection(NodeCollection.Name)]
public sealed class RouteRulesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RuleSetOnOneNode_IsVisibleOnAnother_WithinASecond()
    {
        await using var nodes = new ClusterTestNodes();
        var seedPort = ClusterTestNodes.FreePort();
        string[] seeds = [$"127.0.0.1:{seedPort}"];
        var (a, onA) = nodes.Start(seedPort, seeds, "a");
        var (b, onB) = nodes.Start(ClusterTestNodes.FreePort(), seeds, "b");
        Assert.True(await Eventually.True(() => ClusterTestNodes.AllUp(a, 2) && ClusterTestNodes.AllUp(b, 2), TimeSpan.FromSeconds(20)));

        var rules = new[] { new RouteRule(RouteRuleKind.Child, "example.net", "b"), new RouteRule(RouteRuleKind.Subnet, "10.1.0.0/16", "b") };
        var clock = Stopwatch.StartNew();
        var reply = await onA.RouteRules.Ask<RouteRulesSet>(new SetRouteRules(rules, []), TimeSpan.FromSeconds(5));
        Assert.True(reply.Ok, reply.Error);
        Assert.True(await Eventually.True(() => onB.Routes.Rules.Count == 2, TimeSpan.FromSeconds(5)), "the rules never reached node b");
        output.WriteLine($"rules set on a visible on b after {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"replication took {clock.Elapsed}");
        Assert.Contains(new RouteRule(RouteRuleKind.Child, "example.net", "b"), onB.Routes.Rules);

        // The last write wins per rule; removing one reaches the other side too.
        await onB.RouteRules.Ask<RouteRulesSet>(new SetRouteRules([new RouteRule(RouteRuleKind.Child, "example.net", "a")], [rules[1]]), TimeSpan.FromSeconds(5));
        Assert.True(await Eventually.True(() => onA.Routes.Rules is [{ Region: "a", Pattern: "example.net" }], TimeSpan.FromSeconds(5)),
            "node a did not see b's change");
    }
}
