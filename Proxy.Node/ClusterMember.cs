using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Proxy.Actors.Cluster;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Stats;

namespace Proxy.Node;

/// <summary>
/// The node's membership in the cluster, as a cluster-only ActorSystem next to the one that runs the
/// servers. Akka.NET cannot join again once a member was removed, so when this node is downed
/// (or removed for any reason other than its own shutdown) the incarnation is terminated and a new
/// one is created on the same host:port, with a new uid, and joins through the seeds. The servers
/// never notice: they read the <see cref="ClusterView"/> snapshots, which keep their last values
/// until the new incarnation publishes.
/// </summary>
internal sealed class ClusterMember : IAsyncDisposable
{
    private static readonly TimeSpan RetryBind = TimeSpan.FromSeconds(1);

    private readonly Config _hocon;
    private readonly ClusterConfig _config;
    private readonly string? _region;
    private readonly Func<string, IReadOnlyList<IPEndPoint>> _listening;
    private readonly Func<string, ServerStats?> _serverStats;
    private readonly ClusterView _view;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private ClusterServices _current;
    private int _incarnations;

    private ClusterMember(Config hocon, ClusterConfig config, string? region, Func<string, IReadOnlyList<IPEndPoint>> listening,
        Func<string, ServerStats?> serverStats, ClusterView view, Action<string> log)
    {
        _hocon = hocon;
        _config = config;
        _region = region;
        _listening = listening;
        _serverStats = serverStats;
        _view = view;
        _log = log;
        _current = Incarnate(hocon);
    }

    /// <summary>The current incarnation's cluster parts.</summary>
    public ClusterServices Current { get { lock (_gate) return _current; } }

    /// <summary>How many incarnations this node has had (1 until it was downed once).</summary>
    public int Incarnations => Volatile.Read(ref _incarnations);

    public static ClusterMember Start(Config hocon, ClusterConfig config, string? region, Func<string, IReadOnlyList<IPEndPoint>> listening,
        Func<string, ServerStats?> serverStats, ClusterView view, Action<string> log) =>
        new(hocon, config, region, listening, serverStats, view, log);

    private ClusterServices Incarnate(Config hocon)
    {
        var system = ActorSystem.Create(ClusterHocon.SystemName, hocon);
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            if (cluster.Settings.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress); // a one-node cluster by itself
            var services = ClusterServices.Start(system, _config, _region, _listening, _serverStats, view: _view);
            Interlocked.Increment(ref _incarnations);
            // Also runs when the system terminates; _stopping tells our own shutdown apart from being downed.
            cluster.RegisterOnMemberRemoved(() => _ = RejoinAsync(system));
            return services;
        }
        catch
        {
            _ = system.Terminate();
            throw;
        }
    }

    private async Task RejoinAsync(ActorSystem old)
    {
        if (_stopping.IsCancellationRequested) return;
        var address = Akka.Cluster.Cluster.Get(old).SelfAddress;
        _log($"cluster: {address} was removed from the cluster; its servers keep serving; starting a new incarnation on the same address");
        await old.Terminate().ConfigureAwait(false);
        // The same port, so seeds and peers that know this address find the node again; a new uid makes it a new member.
        var hocon = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.port = {address.Port}").WithFallback(_hocon);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var next = Incarnate(hocon);
                if (_stopping.IsCancellationRequested)
                {
                    await next.System.Terminate().ConfigureAwait(false);
                    return;
                }
                lock (_gate) _current = next;
                _log($"cluster: new incarnation {Akka.Cluster.Cluster.Get(next.System).SelfUniqueAddress} is joining");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The port may still be held for a moment by the old incarnation's transport.
                _log($"cluster: cannot start a new incarnation on {address}: {e.Message}; retrying");
                try { await Task.Delay(RetryBind, TimeProvider.System, _stopping.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Leaves the cluster gracefully and stops the incarnation.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var system = Current.System;
        try
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Stops at once, no graceful leave (SIGINT).</summary>
    public async Task KillAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Current.System.Terminate().ConfigureAwait(false);
    }
}
