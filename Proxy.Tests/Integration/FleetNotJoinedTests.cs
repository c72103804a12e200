using Proxy.Tests.Cluster;
using Proxy.Tests.Control;

namespace Proxy.Tests.Integration;

/// <summary>A node whose seeds do not answer: the cluster words say so, and --cluster refuses.</summary>
[Collection(NodeCollection.Name)]
public sealed class FleetNotJoinedTests
{
    [Fact]
    public async Task ClusterShow_OnANodeNotJoined_SaysSo_AndFanOutRefuses()
    {
        var deadSeed = $"127.0.0.1:{ClusterTestNodes.FreePort()}";
        await using var node = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(), options: o => o with { Seeds = [deadSeed] });

        var show = await PbmRun.RunAsync(node.Node.ControlEndpoint, "cluster", "show");
        Assert.Equal(0, show.Code);
        Assert.Equal($"this node: 127.0.0.1:{node.Node.ClusterAddress.Port} not joined yet: seeds {deadSeed} do not answer; local servers keep serving",
            show.Lines[0]);
        Assert.Equal("notice: 0 member(s)", show.Lines[^1]);

        var fan = await PbmRun.RunAsync(node.Node.ControlEndpoint, "version", "--cluster");
        Assert.Equal(1, fan.Code);
        Assert.StartsWith("error: this node is not a cluster member", fan.Err);
        var list = await PbmRun.RunAsync(node.Node.ControlEndpoint, "route", "list");
        Assert.Equal((0, "notice: no route rules"), (list.Code, list.Out.Trim()));
    }
}
