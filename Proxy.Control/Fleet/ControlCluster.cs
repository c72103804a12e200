using Akka.Actor;
using Proxy.Actors.Cluster;

namespace Proxy.Control.Fleet;

/// <summary>
/// The control plane's view of the cluster: which ActorSystem is the member and its cluster
/// services. The host attaches it once the cluster parts run (after the guardian, so the control
/// actor exists first) and again if it ever builds a new cluster system; the control actor reads
/// <see cref="Current"/> per word, so a word before the attach answers that the cluster is not up.
/// </summary>
internal sealed class ControlCluster
{
    public static readonly TimeSpan DefaultFanOutTimeout = TimeSpan.FromSeconds(15);

    private Attached? _current;

    public ControlCluster(TimeSpan? fanOutTimeout = null) => FanOutTimeout = fanOutTimeout ?? DefaultFanOutTimeout;

    /// <summary>How long a <c>--cluster</c> command waits for each member's answer.</summary>
    public TimeSpan FanOutTimeout { get; }

    public Attached? Current => Volatile.Read(ref _current);

    /// <summary>Starts this member's <see cref="FleetMemberActor"/> (it runs fanned-out words on <paramref name="control"/>).</summary>
    public void Attach(ActorSystem system, ClusterServices services, IActorRef control)
    {
        system.ActorOf(FleetMemberActor.Props(control), FleetMemberActor.Name);
        Volatile.Write(ref _current, new Attached(system, services));
    }

    internal sealed record Attached(ActorSystem System, ClusterServices Services)
    {
        public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);
    }
}
