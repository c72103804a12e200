using System.Diagnostics;
using System.Net;
using Akka.Cluster;
using Proxy.Tests.Integration;
using Proxy.Tests.Resolvers;
using Xunit.Abstractions;

namespace Proxy.Tests.Cluster;

/// <summary>A downed node keeps serving and comes back as a new incarnation by itself.</summary>
[Collection(NodeCollection.Name)]
public sealed class RejoinTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DownedNode_KeepsServing_AndIsUpAgainAsANewIncarnation()
    {
        using var fleet = new RegionFleet();
        await using var origin = await TestOrigin.StartAsync();
        var seedPort = ClusterTestNodes.FreePort();
        string[] seeds = [$"127.0.0.1:{seedPort}"];
        await using var seed = await fleet.StartAsync("seed", ProxyUnderTest.HttpProxyYaml(), seedPort, seeds, TextWriter.Null);
        await using var node = await fleet.StartAsync("node", ProxyUnderTest.HttpProxyYaml(), ClusterTestNodes.FreePort(), seeds, TextWriter.Null);
        var seedCluster = Akka.Cluster.Cluster.Get(seed.ClusterSystem);
        Assert.True(await Eventually.True(() => ClusterTestNodes.AllUp(seed.ClusterSystem, 2), TimeSpan.FromSeconds(30)), "two members never became Up");
        var first = Akka.Cluster.Cluster.Get(node.ClusterSystem).SelfUniqueAddress;
        var firstSystem = node.ClusterSystem;

        var clock = Stopwatch.StartNew();
        seedCluster.Down(first.Address);

        // The downed incarnation ends; the servers do not.
        Assert.True(await Eventually.True(() => firstSystem.WhenTerminated.IsCompleted, TimeSpan.FromSeconds(20)), "the downed incarnation did not end");
        output.WriteLine($"downed incarnation ended {clock.ElapsedMilliseconds} ms after the down");
        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://{node.Listening["http"][0]}"), UseProxy = true })
        { Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        Assert.True(await Eventually.True(() => seedCluster.State.Members.Any(m =>
                m.Address == first.Address && m.UniqueAddress != first && m.Status == MemberStatus.Up), TimeSpan.FromSeconds(40)),
            "the node did not come back as a new incarnation");
        output.WriteLine($"new incarnation Up in the seed's view {clock.ElapsedMilliseconds} ms after the down");
        Assert.Equal(2, node.ClusterIncarnations);
        Assert.NotEqual(first, Akka.Cluster.Cluster.Get(node.ClusterSystem).SelfUniqueAddress);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"rejoining took {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);
    }
}
