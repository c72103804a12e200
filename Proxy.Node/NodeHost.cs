using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Streams;
using Proxy.Actors.Cluster;
using Proxy.Actors.Config;
using Proxy.Actors.Logging;
using Proxy.Actors.Guardian;
using Proxy.Actors.Handles;
using Proxy.Control.Host;

namespace Proxy.Node;

/// <summary>
/// A running node: an ActorSystem for the guardian and its servers, and the cluster membership
/// (<see cref="ClusterMember"/>, a cluster-only ActorSystem "G3Actors" that is replaced by a new
/// incarnation when this node is downed; docs/cluster.md). Used by Program and, in-process, by the
/// integration tests.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _guardian;
    private readonly TaskLogger _logger;
    private readonly TaskCompletionSource _exit;
    private readonly ClusterMember _member;

    private NodeHost(ActorSystem system, IActorRef guardian, TaskLogger logger, NodeServices services,
        IReadOnlyDictionary<string, IReadOnlyList<IPEndPoint>> listening, IPEndPoint control, TaskCompletionSource exit,
        ClusterMember member)
    {
        _member = member;
        _system = system;
        _guardian = guardian;
        _logger = logger;
        Services = services;
        Listening = listening;
        ControlEndpoint = control;
        _exit = exit;
    }

    /// <summary>Where pbm reaches this node (the bound port when the config said 0).</summary>
    public IPEndPoint ControlEndpoint { get; }

    /// <summary>Completes when <c>pbm offline</c> has drained the node: the host should dispose it and exit.</summary>
    public Task ExitRequested => _exit.Task;

    public NodeServices Services { get; }
    /// <summary>The relay directory and route rules of the current cluster incarnation (docs/cluster.md).</summary>
    public ClusterServices ClusterServices => _member.Current;
    public IReadOnlyDictionary<string, IReadOnlyList<IPEndPoint>> Listening { get; }
    /// <summary>The system that runs the guardian and the servers (not a cluster member).</summary>
    public ActorSystem System => _system;
    /// <summary>The current cluster incarnation's system (a new one after this node was downed).</summary>
    public ActorSystem ClusterSystem => _member.Current.System;
    /// <summary>How many cluster incarnations this node has had.</summary>
    public int ClusterIncarnations => _member.Incarnations;
    public Address ClusterAddress => Cluster.Get(ClusterSystem).SelfAddress;

    public static async Task<NodeHost> StartAsync(ProxyConfig config, NodeOptions options, TextWriter? taskLogOutput = null, CancellationToken ct = default)
    {
        if (config.Runtime.ThreadNumber > 0)
        {
            ThreadPool.GetMinThreads(out _, out var io);
            ThreadPool.SetMinThreads(config.Runtime.ThreadNumber, Math.Max(io, config.Runtime.ThreadNumber));
        }
        var (endpoint, refused) = Proxy.Control.Host.ControlEndpoint.From(config.Control, options.Control);
        if (endpoint is null) throw new InvalidOperationException(refused);
        ControlListener listener;
        try
        {
            listener = ControlListener.Bind(endpoint, TimeProvider.System);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            endpoint.Certificate?.Dispose();
            throw new InvalidOperationException($"control: cannot listen on {endpoint.Listen}: {e.Message}");
        }
        var exit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var hocon = ClusterHocon.Build(options.HoconPath ?? ClusterHocon.FindDefault(), config.Cluster, options);
        // The servers' system is local: being downed ends a cluster incarnation, never the servers.
        var system = ActorSystem.Create(ClusterHocon.SystemName, ClusterHocon.Local(hocon));

        // The export pipelines run on this system's Akka.Streams; a driver that cannot work here says so in the node log.
        var logger = new TaskLogger(config.Log, system.Materializer(), taskLogOutput,
            warn: w => system.Log.Warning("{0}", w));
        var services = new NodeServices(logger);
        services.ControlProps = ControlActor.Props(config, services, listener, new ControlHooks(ControlActor.NodeVersion, () => exit.TrySetResult()));
        var guardian = system.ActorOf(NodeGuardian.Props(config, services), NodeGuardian.Name);
        try
        {
            var reply = await guardian.Ask<object>(NodeMessages.WaitStarted.Instance, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            if (reply is NodeMessages.StartFailed failed) throw new InvalidOperationException(failed.Error);
            var started = (NodeMessages.Started)reply;
            var region = options.Region ?? config.Cluster.Region;
            var member = ClusterMember.Start(hocon, config.Cluster, region,
                name => started.Listening.TryGetValue(name, out var eps) ? eps : [],
                name => services.ServerStats.TryGetValue(name, out var st) ? st : null,
                ClusterView.Get(system), line => system.Log.Warning("{0}", line));
            return new NodeHost(system, guardian, logger, services, started.Listening, listener.LocalEndPoint, exit, member);
        }
        catch
        {
            listener.Dispose();
            await logger.DisposeAsync().ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>g3's graceful offline: stop accepting, let running tasks finish up to the limit, leave the cluster.</summary>
    public async Task<int> DrainAsync(TimeSpan waitLimit, CancellationToken ct = default)
    {
        var drained = await _guardian.Ask<NodeMessages.Drained>(new NodeMessages.Drain(waitLimit), waitLimit + TimeSpan.FromSeconds(30), ct)
            .ConfigureAwait(false);
        return drained.Remaining;
    }

    /// <summary>
    /// Runs pbm words on this node's control actor and returns what pbm would print: SIGHUP is
    /// <c>reload</c>, SIGTERM <c>offline</c>, as in g3proxy.
    /// </summary>
    public async Task<string> ControlAsync(IReadOnlyList<string> words, CancellationToken ct = default)
    {
        var reply = await _system.ActorSelection(_guardian.Path / ControlActor.Name)
            .Ask<ControlReply>(new ControlRequest(words), TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        return string.Join(Environment.NewLine, reply.Lines.Append(reply.Ok ? "notice: " + reply.Notice : "error: " + reply.Error));
    }

    /// <summary>Leaves the cluster and stops everything, running connections included.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            // The log pipelines run on this system: write out what is queued while it still runs.
            await _logger.DisposeAsync().ConfigureAwait(false);
            await _member.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>SIGINT/SIGQUIT: stop at once, no draining, no graceful leave.</summary>
    public async Task KillAsync()
    {
        await _logger.DisposeAsync().ConfigureAwait(false);
        await _member.KillAsync().ConfigureAwait(false);
        await _system.Terminate().ConfigureAwait(false);
    }
}
