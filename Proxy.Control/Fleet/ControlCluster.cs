using Akka.Actor;
using Proxy.Actors.Cluster;

namespace Proxy.Control.Fleet;

/// <summary>
/// The control plane's view of the cluster: the current incarnation's cluster services, read from
/// the node's <see cref="ClusterView"/> per word (a word before the node joined answers that the
/// cluster is not up). <see cref="Follow"/> starts this member's <see cref="FleetMemberActor"/> in
/// every cluster incarnation, the current one and each new one after a down or a leave.
/// </summary>
internal sealed class ControlCluster
{
    public static readonly TimeSpan DefaultFanOutTimeout = TimeSpan.FromSeconds(15);

    private readonly object _gate = new();
    private ClusterView? _view;
    private ActorSystem? _endpointIn;

    public ControlCluster(TimeSpan? fanOutTimeout = null) => FanOutTimeout = fanOutTimeout ?? DefaultFanOutTimeout;

    /// <summary>How long a <c>--cluster</c> command waits for each member's answer.</summary>
    public TimeSpan FanOutTimeout { get; }

    public Attached? Current => Volatile.Read(ref _view)?.Services is { } s ? new Attached(s.System, s) : null;

    /// <summary>Reads the cluster from <paramref name="view"/>; fanned-out words run on <paramref name="control"/>.</summary>
    public void Follow(ClusterView view, IActorRef control)
    {
        view.Attached += services => StartEndpoint(services, control);
        Volatile.Write(ref _view, view);
        if (view.Services is { } current) StartEndpoint(current, control);
    }

    /// <summary>Once per incarnation: the event and the initial check may both see the same one.</summary>
    private void StartEndpoint(ClusterServices services, IActorRef control)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_endpointIn, services.System)) return;
            _endpointIn = services.System;
        }
        services.System.ActorOf(FleetMemberActor.Props(control), FleetMemberActor.Name);
    }

    internal sealed record Attached(ActorSystem System, ClusterServices Services)
    {
        public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);
    }
}
