using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Proxy.Actors.Cluster;

/// <summary>
/// One node-log line per membership change (joining, up, leaving, unreachable, reachable, downed,
/// removed), and a warning while the seeds do not answer: the node keeps serving its local servers.
/// </summary>
internal sealed class MembershipLog : ReceiveActor, IWithTimers
{
    public const string Name = "cluster-membership";

    private sealed record CheckJoined;

    private static readonly TimeSpan SeedWarnEvery = TimeSpan.FromSeconds(10);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _joined;

    public ITimerScheduler Timers { get; set; } = null!;

    public MembershipLog()
    {
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<ClusterEvent.MemberJoined>(e => Line("joining", e.Member));
        Receive<ClusterEvent.MemberUp>(e =>
        {
            if (e.Member.Address == _cluster.SelfAddress) _joined = true;
            Line("up", e.Member);
        });
        Receive<ClusterEvent.MemberLeft>(e => Line("leaving", e.Member));
        Receive<ClusterEvent.MemberExited>(e => Line("exiting", e.Member));
        Receive<ClusterEvent.MemberDowned>(e =>
        {
            Line("downed", e.Member);
            if (e.Member.Address == _cluster.SelfAddress)
                _log.Warning("cluster: this node was downed; its servers keep running and it rejoins as a new incarnation");
        });
        Receive<ClusterEvent.MemberRemoved>(e => Line("removed", e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => _log.Warning("cluster: member {0} unreachable (roles {1})", e.Member.Address, Roles(e.Member)));
        Receive<ClusterEvent.ReachableMember>(e => Line("reachable again", e.Member));
        Receive<CheckJoined>(_ =>
        {
            if (_joined) return;
            _log.Warning("cluster: not joined yet, seeds {0} do not answer; local servers keep serving",
                string.Join(", ", _cluster.Settings.SeedNodes));
            Timers.StartSingleTimer("seeds", new CheckJoined(), SeedWarnEvery);
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new MembershipLog());

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartSingleTimer("seeds", new CheckJoined(), SeedWarnEvery);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Line(string what, Member m) => _log.Info("cluster: member {0} {1} (roles {2})", m.Address, what, Roles(m));

    private static string Roles(Member m) => string.Join(",", m.Roles);
}
