using System.Net.Sockets;
using Akka.Actor;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Guardian;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers;

/// <summary>
/// The control plane's part of a server: status, and reload in place. A reload builds a new
/// entry (context and protocol runtime) for connections accepted from now on; connections already
/// running keep the entry they started with, which is disposed when the last of them ends. The
/// listening sockets stay when <c>listen</c> did not change, so no connection is refused meanwhile.
/// </summary>
public sealed partial class ServerActor
{
    /// <summary>Entries a reload replaced, with the connections still running on each.</summary>
    private readonly List<(ServerEntry Entry, HashSet<IActorRef> Connections)> _retired = new();

    private void ControlReceives()
    {
        Receive<ServerControl.Reconfigure>(r => Sender.Tell(new ServerControl.Reconfigured(_config.Name, Reconfigure(r.Config))));
        Receive<ServerControl.GetStatus>(_ => Sender.Tell(new ServerControl.Status(
            _config.Name, _listeners.Count > 0 && _drainWaiter is null, _listeners.Select(l => l.LocalEndPoint).Distinct().ToArray())));
    }

    /// <returns>null when done, else why the running config was kept.</returns>
    private string? Reconfigure(ServerConfig next)
    {
        ServerEntry entry;
        try
        {
            var context = new ServerContext(next, _deps.Escapers, _deps.Logger, _stats, _deps.Time, _deps.UserGroups, auditors: _deps.Auditors);
            entry = new ServerEntry(context, _runtimeOverride ?? ServerRuntimeFactory.Create(next, context, _deps));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return e.Message;
        }

        var relisten = _drainWaiter is null && (!Equals(next.Listen, _config.Listen) || next.ListenInWorker != _config.ListenInWorker);
        if (relisten && Rebind(next) is { } error)
        {
            _ = entry.DisposeAsync().AsTask();
            return error;
        }

        var old = _entry;
        _config = next;
        _entry = entry;
        _deps.Servers.Publish(next.Name, entry);
        _connectionProps = Akka.Actor.Props.Create(typeof(ConnectionActor), entry).WithMailbox(ConnectionMailbox.Id);
        if (old is not null)
        {
            var running = Context.GetChildren().ToHashSet();
            if (running.Count == 0) _ = old.DisposeAsync().AsTask();
            else _retired.Add((old, running));
        }
        return null;
    }

    /// <summary>New listeners first; if the address is still held by the old ones, close those and try again.</summary>
    private string? Rebind(ServerConfig next)
    {
        IReadOnlyList<TcpAcceptLoop> fresh;
        if (next.Listen is null)
        {
            fresh = [];
        }
        else
        {
            var listen = next.ListenInWorker
                ? next.Listen with { Instance = Math.Max(next.Listen.Instance, Environment.ProcessorCount) }
                : next.Listen;
            try
            {
                fresh = TcpAcceptLoop.Bind(listen);
            }
            catch (SocketException)
            {
                var previous = _config.Listen;
                CloseListeners();
                try
                {
                    fresh = TcpAcceptLoop.Bind(listen);
                }
                catch (SocketException e)
                {
                    if (previous is not null)
                    {
                        try { StartListeners(TcpAcceptLoop.Bind(previous)); }
                        catch (SocketException) { /* the old address is gone too; the server stays without a listener */ }
                    }
                    return $"cannot listen on {listen.Address}: {e.Message}";
                }
            }
        }
        CloseListeners();
        StartListeners(fresh);
        return null;
    }

    private void StartListeners(IReadOnlyList<TcpAcceptLoop> listeners)
    {
        _listeners = listeners;
        var self = Self;
        var stats = _stats;
        foreach (var l in listeners) _acceptLoops.Add(l.RunAsync((socket, at) => self.Tell(new Accepted(socket, at)), stats.ListenFailed));
        stats.SetListenInstances(listeners.Count);
    }

    private void ConnectionEnded(IActorRef connection)
    {
        for (var i = _retired.Count - 1; i >= 0; i--)
        {
            var (entry, running) = _retired[i];
            if (running.Remove(connection) && running.Count == 0)
            {
                _retired.RemoveAt(i);
                _ = entry.DisposeAsync().AsTask();
            }
        }
    }

    private void DisposeRetired()
    {
        foreach (var (entry, _) in _retired) _ = entry.DisposeAsync().AsTask();
        _retired.Clear();
    }
}
