using Akka.Actor;

namespace Proxy.Actors.Cluster;

/// <summary>
/// What the data path of one node knows of the cluster: its own region and the snapshots the
/// cluster parts publish (live relays, replicated route rules). An Akka extension of the ActorSystem
/// that holds the servers and escapers, so an escaper built by its actor finds it without new
/// plumbing; the cluster parts (<see cref="ClusterServices"/>) publish into it from whichever
/// cluster incarnation is current (docs/cluster.md, "Rejoin").
/// </summary>
public sealed class ClusterView : IExtension
{
    public ClusterView(string? region)
    {
        Region = region;
    }

    /// <summary>The node's region (role <c>region-NAME</c>), or none on a node outside any region.</summary>
    public string? Region { get; }
    public RelayDirectoryHandle Relays { get; } = new();
    public RouteRulesHandle Routes { get; } = new();

    private ClusterServices? _services;

    /// <summary>
    /// The cluster parts of the current incarnation (null before the node joined): the control plane
    /// reaches the cluster through this (<c>Services.System</c> for Akka's Cluster, <c>Services.RouteRules</c>),
    /// never through the servers' own ActorSystem, which is not a cluster member.
    /// </summary>
    public ClusterServices? Services => Volatile.Read(ref _services);

    internal void Attach(ClusterServices services) => Volatile.Write(ref _services, services);

    /// <summary>An empty view: no region, no relay, no replicated rule (escapers built outside a node).</summary>
    public static ClusterView Empty() => new(null);

    public static ClusterView Get(ActorSystem system) => system.WithExtension<ClusterView, ClusterViewId>();
}

/// <summary>Creates a system's <see cref="ClusterView"/>: the region is the <c>region-*</c> role in its config.</summary>
public sealed class ClusterViewId : ExtensionIdProvider<ClusterView>
{
    public override ClusterView CreateExtension(ExtendedActorSystem system)
    {
        var roles = system.Settings.Config.HasPath("akka.cluster.roles") ? system.Settings.Config.GetStringList("akka.cluster.roles") : [];
        var role = roles.FirstOrDefault(r => r.StartsWith(RelayDirectoryActor.RolePrefix, StringComparison.Ordinal));
        return new ClusterView(role?[RelayDirectoryActor.RolePrefix.Length..]);
    }
}
