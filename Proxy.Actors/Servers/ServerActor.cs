using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Guardian;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Servers;

/// <summary>
/// Per-server parent: owns the listener(s), applies the ingress filter, and spawns one
/// <see cref="ConnectionActor"/> per accepted connection. A connection's failure stops only
/// that connection. On <see cref="NodeMessages.StopAccepting"/> it closes its listeners and
/// reports idle once the last connection is gone.
/// </summary>
public sealed partial class ServerActor : ReceiveActor
{
    /// <summary>A socket an accept loop took from the kernel (internal: a test delivers one after the drain began).</summary>
    internal sealed record Accepted(Socket Socket, long At);

    /// <summary>Every accept loop of the closed listeners has ended: no <see cref="Accepted"/> can follow.</summary>
    private sealed record AcceptLoopsEnded
    {
        public static readonly AcceptLoopsEnded Instance = new();
    }

    /// <summary>How long a closed listener's accept loop may take to end before the drain stops waiting for it.</summary>
    private static readonly TimeSpan AcceptLoopsEndWithin = TimeSpan.FromSeconds(5);

    private ServerConfig _config;
    private readonly ServerDeps _deps;
    private readonly ServerStats _stats;
    private readonly IActorRef _guardian;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IServerRuntime? _runtimeOverride;
    private ServerEntry? _entry;
    /// <summary>
    /// One Props for every connection (the socket follows in a Start message): per-connection
    /// Props cost a Props, a Deploy and an argument array for as long as the connection lives.
    /// Built from a type, not an expression, which Akka would compile per call.
    /// </summary>
    private Props? _connectionProps;
    private IReadOnlyList<TcpAcceptLoop> _listeners = [];
    private List<Task> _acceptLoops = [];
    private bool _acceptEnded;
    private long _nextId;
    private int _alive;
    private IActorRef? _drainWaiter;

    public ServerActor(ServerConfig config, ServerDeps deps, ServerStats stats, IActorRef guardian, IServerRuntime? runtime = null)
    {
        _runtimeOverride = runtime;
        _config = config;
        _deps = deps;
        _stats = stats;
        _guardian = guardian;

        Receive<Accepted>(OnAccepted);
        Receive<Terminated>(t =>
        {
            _alive--;
            ConnectionEnded(t.ActorRef);
            ReportIdleIfDrained();
        });
        Receive<NodeMessages.StopAccepting>(_ =>
        {
            // g3's online tag turns 'n' for an offline server's metrics.
            _stats.MarkOffline();
            // A socket an accept loop took just before its listener closed is served like any other (its
            // client already sent its request): idle is reported once every loop has ended, so each
            // Accepted a loop sent is in the mailbox ahead of AcceptLoopsEnded.
            Task.WhenAll(CloseListeners()).WaitAsync(AcceptLoopsEndWithin, _deps.Time)
                .PipeTo(Self, success: static () => AcceptLoopsEnded.Instance, failure: static _ => AcceptLoopsEnded.Instance);
            _drainWaiter = Sender;
        });
        Receive<AcceptLoopsEnded>(_ =>
        {
            _acceptEnded = true;
            ReportIdleIfDrained();
        });
        Receive<NodeMessages.ForceQuit>(_ =>
        {
            // g3's force-quit: running tasks end now (each connection's actor aborts its task).
            foreach (var child in Context.GetChildren()) Context.Stop(child);
        });
        ControlReceives();
    }

    /// <param name="runtime">Tests pass their own; otherwise built from the config's server type.</param>
    public static Props Props(ServerConfig config, ServerDeps deps, ServerStats stats, IActorRef guardian, IServerRuntime? runtime = null) =>
        Akka.Actor.Props.Create(() => new ServerActor(config, deps, stats, guardian, runtime));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        ConnectionMailbox.Register(Context.System);
        var context = new ServerContext(_config, _deps.Escapers, _deps.Logger, _stats, _deps.Time, _deps.UserGroups, _deps.Auditors);
        _entry = new ServerEntry(context, _runtimeOverride ?? ServerRuntimeFactory.Create(_config, context, _deps));
        _deps.Servers.Publish(_config.Name, _entry);
        _connectionProps = Akka.Actor.Props.Create(typeof(ConnectionActor), _entry).WithMailbox(ConnectionMailbox.Id);
        if (_config.Listen is null)
        {
            _guardian.Tell(new NodeMessages.ServerBound(_config.Name, []));
            return;
        }
        try
        {
            var listen = _config.ListenInWorker
                ? _config.Listen with { Instance = Math.Max(_config.Listen.Instance, Environment.ProcessorCount) }
                : _config.Listen;
            _listeners = TcpAcceptLoop.Bind(listen);
        }
        catch (SocketException e)
        {
            _guardian.Tell(new NodeMessages.ServerFailed(_config.Name, $"cannot listen on {_config.Listen.Address}: {e.Message}"));
            return;
        }
        StartListeners(_listeners);
        var endpoints = _listeners.Select(l => l.LocalEndPoint).Distinct().ToArray();
        _guardian.Tell(new NodeMessages.ServerBound(_config.Name, endpoints));
    }

    private void OnAccepted(Accepted a)
    {
        _stats.ListenAccepted();
        if (!IngressAllowed(a.Socket.RemoteEndPoint as IPEndPoint))
        {
            _stats.ListenDropped();
            a.Socket.Dispose();
            return;
        }
        var child = Context.ActorOf(_connectionProps!, "conn-" + (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture));
        child.Tell(new ConnectionActor.Start(a.Socket, a.At));
        Context.Watch(child);
        _alive++;
    }

    private bool IngressAllowed(IPEndPoint? client)
    {
        if (_config.IngressNetworkFilter is not { } filter || client is null) return true;
        return !filter.Check(client.Address).IsForbidden();
    }

    private void ReportIdleIfDrained()
    {
        if (_drainWaiter is not null && _acceptEnded && _alive == 0) _drainWaiter.Tell(new NodeMessages.ServerIdle(_config.Name));
    }

    /// <returns>The closed listeners' accept loops, which end once each has handed over what it took.</returns>
    private List<Task> CloseListeners()
    {
        foreach (var l in _listeners) l.Dispose();
        _listeners = [];
        _stats.SetListenInstances(0);
        var loops = _acceptLoops;
        _acceptLoops = [];
        return loops;
    }

    protected override void PostStop()
    {
        CloseListeners();
        DisposeRetired();
        if (_entry is not null)
        {
            var entry = _entry;
            if (_deps.Servers.TryGet(_config.Name, out var current) && ReferenceEquals(current, entry)) _deps.Servers.Remove(_config.Name);
            // Children are stopped before PostStop; release what the runtime holds off the actor thread.
            _ = Task.Run(async () => await entry.DisposeAsync().ConfigureAwait(false));
        }
        _log.Debug("server {0} stopped", _config.Name);
    }
}
