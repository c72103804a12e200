using System.Net;
using Akka.Actor;
using Akka.Pattern;
using Proxy.Actors.Config;
using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Servers;
using Proxy.Actors.Users;

namespace Proxy.Actors.Guardian;

/// <summary>
/// /user/node: builds the object families in dependency order — resolvers, then escapers
/// (their handles published), then servers — and drains the servers on shutdown.
/// States: <see cref="Starting"/> (waiting for handles, then listeners), <see cref="Running"/>,
/// <see cref="Draining"/>.
/// </summary>
public sealed partial class NodeGuardian : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    public const string Name = "node";

    private sealed record DrainTimeout;

    private ProxyConfig _config;
    private readonly NodeServices _services;
    private readonly HashSet<string> _pendingHandles = new();
    private readonly HashSet<string> _pendingServers = new();
    private readonly Dictionary<string, IReadOnlyList<IPEndPoint>> _listening = new();
    private readonly List<IActorRef> _startWaiters = new();
    private IActorRef? _resolvers, _escapers, _servers, _userGroups;
    private string? _startError;
    private IActorRef? _drainRequester;
    private readonly HashSet<string> _busyServers = new();

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public NodeGuardian(ProxyConfig config, NodeServices services)
    {
        _config = config;
        _services = services;
        Starting();
    }

    public static Props Props(ProxyConfig config, NodeServices services) =>
        Akka.Actor.Props.Create(() => new NodeGuardian(config, services));

    protected override void PreStart()
    {
        _resolvers = Context.ActorOf(Akka.Actor.Props.Create(() => new FamilyActor()), "resolvers");
        _escapers = Context.ActorOf(Akka.Actor.Props.Create(() => new FamilyActor()), "escapers");
        _servers = Context.ActorOf(Akka.Actor.Props.Create(() => new FamilyActor()), "servers");
        _userGroups = Context.ActorOf(Akka.Actor.Props.Create(() => new FamilyActor()), "user-groups");
        foreach (var g in _config.UserGroups)
            SpawnHandleOwner(_userGroups, "user_group", g.Name, UserGroupActor.Props(g, _services.UserGroups, _services.Time, Self));
        var auditors = Context.ActorOf(Akka.Actor.Props.Create(() => new FamilyActor()), "auditors");
        foreach (var a in _config.Auditors)
            SpawnHandleOwner(auditors, "auditor", a.Name, Audit.AuditorActor.Props(a, _services.Auditors, _services.Time, Self));
        foreach (var r in _config.Resolvers)
        {
            SpawnHandleOwner(_resolvers, "resolver", r.Name, ResolverOwner(r));
        }
        foreach (var e in _config.Escapers)
        {
            SpawnHandleOwner(_escapers, "escaper", e.Name, EscaperOwner(e));
        }
        if (_pendingHandles.Count == 0) StartServers();
        if (_config.Stat is { } stat) Context.ActorOf(Stats.StatsActor.Props(stat, _config, _services), Stats.StatsActor.Name);
        if (_services.ControlProps is { } control) Context.ActorOf(control, "control");
    }

    private static Props UnderBackoff(Props owner) => BackoffSupervisor.Props(
        Backoff.OnFailure(owner, "handle", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 0.2, -1));

    /// <summary>
    /// Resolvers and escapers restart with back-off, rebuilt from their last good config; servers
    /// start once every one of them has published its handle.
    /// </summary>
    private void SpawnHandleOwner(IActorRef family, string familyName, string name, Props owner)
    {
        _pendingHandles.Add(familyName + "/" + name);
        family.Tell(new FamilyActor.Spawn(Uri.EscapeDataString(name), UnderBackoff(owner)));
    }

    private void Starting()
    {
        Receive<HandlePublished>(p =>
        {
            // A restarted resolver or escaper publishes again later; only the first counts here.
            if (_pendingHandles.Remove(p.Family + "/" + p.Name) && _pendingHandles.Count == 0) StartServers();
        });
        Receive<NodeMessages.ServerBound>(b =>
        {
            _listening[b.Name] = b.Endpoints;
            ServerDone(b.Name);
        });
        Receive<NodeMessages.ServerFailed>(f =>
        {
            _startError ??= $"server '{f.Name}': {f.Error}";
            ServerDone(f.Name);
        });
        Receive<NodeMessages.WaitStarted>(_ => _startWaiters.Add(Sender));
        Receive<NodeMessages.Drain>(_ => Stash.Stash());
    }

    private void StartServers()
    {
        var deps = _services.ServerDeps;
        foreach (var s in _config.Servers)
        {
            _pendingServers.Add(s.Name);
            var stats = _services.ServerStats.GetOrAdd(s.Name, _ => new Stats.ServerStats());
            _servers.Tell(new FamilyActor.Spawn(Uri.EscapeDataString(s.Name), ServerActor.Props(s, deps, stats, Self)));
        }
        if (_pendingServers.Count == 0) FinishStart();
    }

    private void ServerDone(string name)
    {
        if (_pendingServers.Remove(name) && _pendingServers.Count == 0) FinishStart();
    }

    private void FinishStart()
    {
        object reply = _startError is null
            ? new NodeMessages.Started(new Dictionary<string, IReadOnlyList<IPEndPoint>>(_listening))
            : new NodeMessages.StartFailed(_startError);
        foreach (var w in _startWaiters) w.Tell(reply);
        _startWaiters.Clear();
        Become(() => Running(reply));
        Stash.UnstashAll();
    }

    private void Running(object startReply)
    {
        Receive<NodeMessages.WaitStarted>(_ => Sender.Tell(startReply));
        ReloadReceives();
        Receive<NodeMessages.Drain>(d =>
        {
            _drainRequester = Sender;
            foreach (var s in _config.Servers) _busyServers.Add(s.Name);
            _servers.Tell(new FamilyActor.Broadcast(NodeMessages.StopAccepting.Instance, Self));
            Timers.StartSingleTimer("drain", new DrainTimeout(), d.WaitLimit);
            Become(Draining);
            if (_busyServers.Count == 0) FinishDrain();
        });
    }

    private void Draining()
    {
        Receive<NodeMessages.ServerIdle>(i =>
        {
            if (_busyServers.Remove(i.Name) && _busyServers.Count == 0) FinishDrain();
        });
        Receive<DrainTimeout>(_ => FinishDrain());
        Receive<NodeMessages.WaitStarted>(_ => Sender.Tell(new NodeMessages.StartFailed("node is draining")));
        Receive<ReloadMessages.Reload>(_ => Sender.Tell(new ReloadMessages.Reloaded([], ["the node is going offline"])));
        Receive<NodeMessages.Drain>(_ => { });
    }

    private void FinishDrain()
    {
        var remaining = _services.ServerStats.Values.Sum(s => (int)s.AliveConnections);
        _drainRequester?.Tell(new NodeMessages.Drained(remaining));
        _drainRequester = null;
        Become(() =>
        {
            Receive<NodeMessages.ServerIdle>(_ => { });
            Receive<DrainTimeout>(_ => { });
            Receive<NodeMessages.Drain>(_ => Sender.Tell(new NodeMessages.Drained(remaining)));
        });
    }
}
