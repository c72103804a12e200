using Akka.Cluster;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Node;

[Collection(NodeCollection.Name)]
public sealed class NodeClusterTests
{
    [Fact]
    public async Task NodeWithoutSeeds_FormsOneNodeClusterByItself()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var cluster = Akka.Cluster.Cluster.Get(proxy.Node.ClusterSystem);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!cluster.State.Members.Any(m => m.Address == cluster.SelfAddress && m.Status == MemberStatus.Up))
        {
            Assert.True(DateTime.UtcNow < deadline, "the node never became Up in its own cluster");
            await Task.Delay(50);
        }
        Assert.Equal("G3Actors", proxy.Node.ClusterSystem.Name);
        Assert.Single(cluster.State.Members);
    }

    [Fact]
    public async Task RegionFlag_BecomesAClusterRole()
    {
        var dir = Directory.CreateTempSubdirectory("g3a-region-").FullName;
        var main = Path.Combine(dir, "main.yml");
        await File.WriteAllTextAsync(main, ProxyUnderTest.HttpProxyYaml() + "\ncluster:\n  region: eu-west\n");
        var config = Proxy.Actors.Config.ConfigLoader.Load(main);
        await using var node = await Proxy.Node.NodeHost.StartAsync(config, new Proxy.Node.NodeOptions { ClusterPort = 0, Region = "ap-south", Control = "127.0.0.1:0" });

        // The CLI overrides main.yml's cluster.region.
        Assert.Contains("region-ap-south", Akka.Cluster.Cluster.Get(node.ClusterSystem).SelfRoles);
        Assert.DoesNotContain("region-eu-west", Akka.Cluster.Cluster.Get(node.ClusterSystem).SelfRoles);
    }
}
