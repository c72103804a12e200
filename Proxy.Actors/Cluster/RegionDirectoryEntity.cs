using Akka.Actor;
using Akka.Cluster;

namespace Proxy.Actors.Cluster;

/// <summary>
/// The sharded entity of one region: the relays registered there and who listens. A relay whose
/// member becomes unreachable is set aside (restored when reachable again); a member that leaves
/// or is removed takes its relays with it. Every change is pushed to the subscribers.
/// </summary>
internal sealed class RegionDirectoryEntity : ReceiveActor
{
    private readonly string _region;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Dictionary<(string Member, string Server), RelayEndpoint> _relays = new();
    private readonly HashSet<string> _unreachable = new(StringComparer.Ordinal);
    private readonly HashSet<IActorRef> _subscribers = new();
    private IReadOnlyList<RelayEndpoint> _published = [];

    public RegionDirectoryEntity(string region)
    {
        _region = region;
        Receive<RegisterRelay>(r =>
        {
            // A registration from a member this node thinks gone would resurrect it; the next tick after it is back suffices.
            if (!IsMember(r.Endpoint.Member)) return;
            _relays[(r.Endpoint.Member, r.Endpoint.Server)] = r.Endpoint;
            Publish(force: false);
        });
        Receive<UnregisterRelay>(u =>
        {
            _relays.Remove((u.Member, u.Server));
            Publish(force: false);
        });
        Receive<SubscribeRelays>(s =>
        {
            if (_subscribers.Add(s.Subscriber)) Context.Watch(s.Subscriber);
            s.Subscriber.Tell(new RegionRelays(_region, _published));
        });
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Unreachable) _unreachable.Add(m.Address.ToString());
        });
        Receive<ClusterEvent.UnreachableMember>(e => { _unreachable.Add(e.Member.Address.ToString()); Publish(false); });
        Receive<ClusterEvent.ReachableMember>(e => { _unreachable.Remove(e.Member.Address.ToString()); Publish(false); });
        Receive<ClusterEvent.MemberRemoved>(e => Forget(e.Member.Address.ToString()));
        Receive<ClusterEvent.MemberLeft>(e => Forget(e.Member.Address.ToString()));
        Receive<ClusterEvent.MemberDowned>(e => Forget(e.Member.Address.ToString()));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    public static Props Props(string region) => Akka.Actor.Props.Create(() => new RegionDirectoryEntity(region));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private bool IsMember(string member) =>
        _cluster.State.Members.Any(m => m.Address.ToString() == member && m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp);

    private void Forget(string member)
    {
        _unreachable.Remove(member);
        foreach (var key in _relays.Keys.Where(k => k.Member == member).ToList()) _relays.Remove(key);
        Publish(false);
    }

    private void Publish(bool force)
    {
        var live = _relays.Values.Where(r => !_unreachable.Contains(r.Member))
            .OrderBy(r => r.Member, StringComparer.Ordinal).ThenBy(r => r.Server, StringComparer.Ordinal).ToList();
        // Load refreshes every tick: push only when the set of relays or a load changed.
        if (!force && live.SequenceEqual(_published)) return;
        _published = live;
        var msg = new RegionRelays(_region, live);
        foreach (var s in _subscribers) s.Tell(msg);
    }
}
