using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Proxy.Actors.Cluster;
using Proxy.Actors.Config.Values;
using Proxy.Node;

namespace Proxy.Tests.Cluster;

/// <summary>Several cluster ActorSystems in this process on loopback, built from the real cluster.hocon.</summary>
internal sealed class ClusterTestNodes : IAsyncDisposable
{
    private readonly List<ActorSystem> _systems = new();

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>
    /// A member. <paramref name="abruptStop"/>: Terminate skips the graceful leave, so its peers see
    /// it as a crash (unreachable), not as a member leaving.
    /// </summary>
    public (ActorSystem System, ClusterServices Services) Start(int port, IReadOnlyList<string> seeds, string region,
        RelayAdvertConfig? relay = null, bool abruptStop = false)
    {
        var cluster = new ClusterConfig { Region = region, Relay = relay };
        var hocon = ClusterHocon.Build(ClusterHocon.FindDefault(), cluster, new NodeOptions { ClusterPort = port, Seeds = seeds });
        if (abruptStop) hocon = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off").WithFallback(hocon);
        var system = ActorSystem.Create(ClusterHocon.SystemName, hocon);
        _systems.Add(system);
        var services = ClusterServices.Start(system, cluster, region,
            listening: name => [new IPEndPoint(IPAddress.Loopback, 40000 + _systems.Count)], tick: TimeSpan.FromMilliseconds(500));
        return (system, services);
    }

    public static bool AllUp(ActorSystem system, int count)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        return state.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == count && state.Unreachable.Count == 0;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _systems)
            await s.Terminate().WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }
}
