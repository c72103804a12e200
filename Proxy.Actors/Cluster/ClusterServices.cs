using Akka.Actor;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Cluster;

/// <summary>
/// The node's cluster parts: the membership log, the relay directory and the replicated route
/// rules, with the handles the data path reads. The extension points for what comes next:
/// the <c>route_region</c> escaper reads <see cref="Relays"/> and <see cref="Routes"/>; the control
/// plane's <c>route</c> palette sends <see cref="SetRouteRules"/> to <see cref="RouteRulesActor"/>,
/// and a drain sends <see cref="UnregisterRelay"/> through it before leaving.
/// </summary>
public sealed class ClusterServices
{
    public static readonly TimeSpan DefaultTick = TimeSpan.FromSeconds(2);

    private ClusterServices(ActorSystem system, IActorRef directory, IActorRef routeRules, RelayDirectoryHandle relays, RouteRulesHandle routes)
    {
        System = system;
        Directory = directory;
        RouteRules = routeRules;
        Relays = relays;
        Routes = routes;
    }

    /// <summary>The cluster ActorSystem of this incarnation (Akka's <c>Cluster.Get</c> works on it).</summary>
    public ActorSystem System { get; }
    public IRelayDirectory Relays { get; }
    public IRouteRules Routes { get; }
    /// <summary>Takes <see cref="SetRouteRules"/>, answers <see cref="RouteRulesSet"/>.</summary>
    public IActorRef RouteRules { get; }
    public IActorRef Directory { get; }

    /// <summary>
    /// Starts the cluster parts on a cluster ActorSystem. <paramref name="region"/> is the node's
    /// region (role <c>region-NAME</c>); <paramref name="serverStats"/> gives the advertised relay's load;
    /// <paramref name="view"/> receives the snapshots (the system's own view by default).
    /// </summary>
    public static ClusterServices Start(ActorSystem system, ClusterConfig config, string? region,
        Func<string, IReadOnlyList<System.Net.IPEndPoint>>? listening = null,
        Func<string, ServerStats?>? serverStats = null, TimeSpan? tick = null, ClusterView? view = null)
    {
        system.ActorOf(MembershipLog.Props(), MembershipLog.Name);
        // The snapshots go where the escapers read them: the view of the system that runs the servers.
        view ??= ClusterView.Get(system);
        var relays = view.Relays;
        var routes = view.Routes;
        var member = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
        var advert = Advert(config.Relay, region, member, listening, serverStats);
        var directory = system.ActorOf(RelayDirectoryActor.Props(region, advert, relays, tick ?? DefaultTick), RelayDirectoryActor.Name);
        var routeRules = system.ActorOf(RouteRulesActor.Props(routes), RouteRulesActor.Name);
        var services = new ClusterServices(system, directory, routeRules, relays, routes);
        view.Attach(services);
        return services;
    }

    private static Func<RelayEndpoint?> Advert(RelayAdvertConfig? relay, string? region, string member,
        Func<string, IReadOnlyList<System.Net.IPEndPoint>>? listening, Func<string, ServerStats?>? serverStats)
    {
        if (relay is null || region is null) return () => null;
        return () =>
        {
            var address = relay.Address ?? (listening?.Invoke(relay.Server) is [var first, ..] ? first.ToString() : null);
            if (address is null) return null;
            var stats = serverStats?.Invoke(relay.Server);
            if (stats is { Online: false }) return null; // a draining relay takes no new traffic
            var tlsName = relay.TlsName ?? address[..Math.Max(0, address.LastIndexOf(':'))];
            return new RelayEndpoint(region, relay.Server, address, tlsName, stats?.AliveConnections ?? 0, member);
        };
    }
}
