using System.Net;
using Proxy.Actors.Config;
using Proxy.Node;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Cluster;

[Collection(NodeCollection.Name)]
public sealed class UnreachableSeedTests
{
    [Fact]
    public async Task NodeWithUnreachableSeed_KeepsServingItsHttpProxy()
    {
        await using var origin = await TestOrigin.StartAsync();
        var dir = Directory.CreateTempSubdirectory("g3a-seed-").FullName;
        var main = Path.Combine(dir, "main.yml");
        await File.WriteAllTextAsync(main, ProxyUnderTest.HttpProxyYaml());
        var config = ConfigLoader.Load(main);
        var deadSeed = $"127.0.0.1:{ClusterTestNodes.FreePort()}";
        await using var node = await NodeHost.StartAsync(config, new NodeOptions { ClusterPort = 0, Seeds = [deadSeed] }, TextWriter.Null);

        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://{node.Listening["http"][0]}"), UseProxy = true })
        { Timeout = TimeSpan.FromSeconds(20) };
        var rsp = await client.GetAsync(origin.Url("/hello"));

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(node.ClusterSystem).State.Members, m => m.Address == node.ClusterAddress && m.Status == Akka.Cluster.MemberStatus.Up);
        Assert.False(node.ClusterSystem.WhenTerminated.IsCompleted);
        Assert.False(node.System.WhenTerminated.IsCompleted);
    }
}
