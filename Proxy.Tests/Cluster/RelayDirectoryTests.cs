using System.Diagnostics;
using Proxy.Actors.Config.Values;
using Proxy.Tests.Integration;
using Proxy.Tests.Resolvers;
using Xunit.Abstractions;

namespace Proxy.Tests.Cluster;

[Collection(NodeCollection.Name)]
public sealed class RelayDirectoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeNodes_FormCluster_RelayOfRegionBSeenInRegionA_DroppedWhenUnreachable()
    {
        await using var nodes = new ClusterTestNodes();
        var seedPort = ClusterTestNodes.FreePort();
        string[] seeds = [$"127.0.0.1:{seedPort}"];
        var clock = Stopwatch.StartNew();
        var (a, gateway) = nodes.Start(seedPort, seeds, "a");
        var (b1, _) = nodes.Start(ClusterTestNodes.FreePort(), seeds, "b", new RelayAdvertConfig { Server = "relay", TlsName = "relay-b1.test" });
        var (b2, _) = nodes.Start(ClusterTestNodes.FreePort(), seeds, "b", new RelayAdvertConfig { Server = "relay", Address = "127.0.0.1:7002" }, abruptStop: true);

        Assert.True(await Eventually.True(() => ClusterTestNodes.AllUp(a, 3) && ClusterTestNodes.AllUp(b2, 3), TimeSpan.FromSeconds(20)),
            "three members never became Up");
        output.WriteLine($"three members Up after {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"forming took {clock.Elapsed}");

        Assert.True(await Eventually.True(() => gateway.Relays.LiveRelays("b").Count == 2, TimeSpan.FromSeconds(20)),
            "the gateway in region a never saw both relays of region b");
        output.WriteLine($"both region-b relays visible in region a after {clock.ElapsedMilliseconds} ms");
        var b1Relay = Assert.Single(gateway.Relays.LiveRelays("b"), r => r.Member == Akka.Cluster.Cluster.Get(b1).SelfAddress.ToString());
        Assert.Equal("relay-b1.test", b1Relay.TlsName);
        Assert.Contains(gateway.Relays.LiveRelays("b"), r => r.Address == "127.0.0.1:7002" && r.TlsName == "127.0.0.1");
        Assert.Empty(gateway.Relays.LiveRelays("a"));

        var b2Member = Akka.Cluster.Cluster.Get(b2).SelfAddress.ToString();
        var stop = Stopwatch.StartNew();
        await b2.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(await Eventually.True(() => gateway.Relays.LiveRelays("b").All(r => r.Member != b2Member), TimeSpan.FromSeconds(8)),
            "the crashed relay was not dropped");
        output.WriteLine($"crashed relay dropped by the gateway {stop.ElapsedMilliseconds} ms after the stop");
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(6), $"dropping took {stop.Elapsed}");

        // If the crashed node hosted region b's entity, it restarts on b1 after the resolver downs b2; b1 comes back either way.
        Assert.True(await Eventually.True(() => gateway.Relays.LiveRelays("b") is [var only] && only.Member != b2Member, TimeSpan.FromSeconds(40)),
            "the surviving relay of region b is not listed");
        output.WriteLine($"survivor listed alone {stop.ElapsedMilliseconds} ms after the stop");
    }
}
