using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace Proxy.Actors.Cluster;

/// <summary>
/// The node's side of the relay directory. It hosts its own region's shard region (role
/// <c>region-NAME</c>), opens a shard-region proxy for every other region it sees among the
/// members, registers this node's relay (if any) every tick, subscribes to each region's entity and
/// publishes what they say into <see cref="RelayDirectoryHandle"/>, minus every relay whose member
/// this node sees unreachable (at once, not when the split-brain resolver decides) and minus every
/// region whose entity's host is unreachable.
/// </summary>
internal sealed class RelayDirectoryActor : ReceiveActor, IWithTimers
{
    public const string Name = "relay-directory";
    public const string TypePrefix = "relays-";
    public const string RolePrefix = "region-";

    private sealed record Tick;
    private sealed record RegionStarted(string Region, IActorRef Ref);
    private sealed record RegionFailed(string Region, Exception Error);

    private readonly string? _ownRegion;
    private readonly Func<RelayEndpoint?> _advert;
    private readonly RelayDirectoryHandle _handle;
    private readonly TimeSpan _tick;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _regions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _starting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Address Host, IReadOnlyList<RelayEndpoint> Relays)> _known = new(StringComparer.Ordinal);
    private readonly HashSet<Address> _unreachable = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public RelayDirectoryActor(string? ownRegion, Func<RelayEndpoint?> advert, RelayDirectoryHandle handle, TimeSpan tick)
    {
        _ownRegion = ownRegion;
        _advert = advert;
        _handle = handle;
        _tick = tick;
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Members) SeeRoles(m);
            foreach (var m in s.Unreachable) _unreachable.Add(m.Address);
            Publish();
        });
        Receive<ClusterEvent.MemberUp>(e => SeeRoles(e.Member));
        Receive<ClusterEvent.MemberWeaklyUp>(e => SeeRoles(e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => { _unreachable.Add(e.Member.Address); Publish(); });
        Receive<ClusterEvent.ReachableMember>(e => { _unreachable.Remove(e.Member.Address); Publish(); });
        Receive<ClusterEvent.MemberRemoved>(e => { _unreachable.Remove(e.Member.Address); Publish(); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<RegionStarted>(s =>
        {
            _starting.Remove(s.Region);
            _regions[s.Region] = s.Ref;
            s.Ref.Tell(new SubscribeRelays(s.Region, Self));
            Register();
        });
        Receive<RegionFailed>(f =>
        {
            _starting.Remove(f.Region);
            _log.Warning("cluster: cannot start the relay directory of region {0}: {1}", f.Region, f.Error.Message);
        });
        Receive<RegionRelays>(r =>
        {
            var host = Sender.Path.Address.HasLocalScope ? _cluster.SelfAddress : Sender.Path.Address;
            _known[r.Region] = (host, r.Relays);
            Publish();
        });
        Receive<Tick>(_ =>
        {
            foreach (var (region, shardRegion) in _regions) shardRegion.Tell(new SubscribeRelays(region, Self));
            Register();
        });
    }

    public static Props Props(string? ownRegion, Func<RelayEndpoint?> advert, RelayDirectoryHandle handle, TimeSpan tick) =>
        Akka.Actor.Props.Create(() => new RelayDirectoryActor(ownRegion, advert, handle, tick));

    protected override void PreStart()
    {
        if (_ownRegion is not null) EnsureRegion(_ownRegion);
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("tick", new Tick(), _tick);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void SeeRoles(Member m)
    {
        foreach (var role in m.Roles)
            if (role.StartsWith(RolePrefix, StringComparison.Ordinal)) EnsureRegion(role[RolePrefix.Length..]);
    }

    private void EnsureRegion(string region)
    {
        if (_regions.ContainsKey(region) || !_starting.Add(region)) return;
        var sharding = ClusterSharding.Get(Context.System);
        var role = RolePrefix + region;
        // A region's entity lives only on that region's nodes: they host the shard region, every other node a proxy.
        var started = region == _ownRegion
            ? sharding.StartAsync(TypePrefix + region, RegionDirectoryEntity.Props(region),
                ClusterShardingSettings.Create(Context.System).WithRole(role), RegionMessageExtractor.Instance)
            : sharding.StartProxyAsync(TypePrefix + region, role, RegionMessageExtractor.Instance);
        started.PipeTo(Self, success: r => new RegionStarted(region, r), failure: e => new RegionFailed(region, e));
    }

    private void Register()
    {
        if (_ownRegion is null || !_regions.TryGetValue(_ownRegion, out var own)) return;
        if (_advert() is { } endpoint) own.Tell(new RegisterRelay(_ownRegion, endpoint));
    }

    private void Publish()
    {
        var live = ImmutableDictionary.CreateBuilder<string, IReadOnlyList<RelayEndpoint>>(StringComparer.Ordinal);
        foreach (var (region, (host, relays)) in _known)
        {
            // An unreachable directory is no live relay: what it said last may be stale.
            if (_unreachable.Contains(host)) continue;
            var usable = relays.Where(r => !_unreachable.Contains(Address.Parse(r.Member))).ToList();
            if (usable.Count > 0) live[region] = usable;
        }
        _handle.Publish(live.ToImmutable());
    }
}
