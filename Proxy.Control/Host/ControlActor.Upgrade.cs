using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace Proxy.Control.Host;

/// <summary>
/// The old process's side of a hot upgrade (g3's release/confirm/resume of the controller). A new
/// process asks over this process's own socket: <c>release-controller</c> closes the shared
/// control.listen socket so the new one can bind it (state <c>Released</c>); <c>offline</c> then
/// confirms, and this process goes offline as usual. Without a confirmation within
/// <see cref="ConfirmWait"/> (the new process died or could not bind), or on <c>cancel-shutdown</c>,
/// it takes the control endpoint back and serves on (Idle), as g3 resumes its controller.
/// </summary>
internal sealed partial class ControlActor
{
    /// <summary>Attach the shared control endpoint once the old process released it.</summary>
    public sealed record AttachShared(ControlListener Listener);

    private sealed record ConfirmTimedOut;

    /// <summary>
    /// g3 waits server_offline_delay for the confirmation; a .NET process that just bound the port
    /// answers within a second, but a busy host may need longer, so never less than this.
    /// </summary>
    private static readonly TimeSpan MinConfirmWait = TimeSpan.FromSeconds(10);

    /// <summary>The address released, taken back on resume (the bound port, when control.listen said 0).</summary>
    private System.Net.IPEndPoint? _released;
    /// <summary>The released listener: its sessions (maybe the one that asked) run on until the actor stops.</summary>
    private ControlListener? _releasedListener;

    private TimeSpan ConfirmWait => _config.Runtime.ServerOfflineDelay > MinConfirmWait ? _config.Runtime.ServerOfflineDelay : MinConfirmWait;

    private void UpgradeReceives()
    {
        Receive<AttachShared>(a =>
        {
            _shared?.Dispose();
            _shared = a.Listener;
            Run(a.Listener);
            Sender.Tell(ControlReply.Done("control endpoint " + a.Listener.LocalEndPoint));
        });
        Receive<ConfirmTimedOut>(_ =>
        {
            if (_offline != OfflineState.Released) return;
            var reply = ResumeController("no confirmation within " + Human(ConfirmWait));
            Context.GetLogger().Warning("hot upgrade: {0}", reply.Ok ? reply.Notice : reply.Error);
        });
    }

    /// <summary><c>process</c>: who this is, for operators and for a new process looking for the one to replace.</summary>
    private ControlReply ProcessInfo() => ControlReply.Text([
        "pid: " + Environment.ProcessId,
        "controller: " + (_shared?.LocalEndPoint?.ToString() ?? "released"),
        "socket: " + (_own?.UnixPath ?? "none"),
        // The servers' system is not a cluster member: the current incarnation's system is.
        "cluster: " + (Proxy.Actors.Cluster.ClusterView.Get(Context.System).Services is { } member
            ? Akka.Cluster.Cluster.Get(member.System).SelfAddress.ToString() : "none"),
        "state: " + _offline.ToString().ToLowerInvariant(),
    ]);

    private ControlReply ReleaseController()
    {
        if (_shared is null) return ControlReply.Fail("this process does not hold the control endpoint");
        var endpoint = _shared.LocalEndPoint;
        _released = endpoint;
        _shared.StopAccepting();
        _releasedListener?.Dispose();
        _releasedListener = _shared;
        _shared = null;
        if (_offline is OfflineState.Draining or OfflineState.Quitting)
            return ControlReply.Done($"control endpoint {endpoint} released (this process is already going offline)");
        Timers.Cancel("offline");
        _offline = OfflineState.Released;
        Timers.StartSingleTimer("upgrade-confirm", new ConfirmTimedOut(), ConfirmWait);
        return ControlReply.Done($"control endpoint {endpoint} released: confirm with offline within {Human(ConfirmWait)}, else this process takes it back");
    }

    private ControlReply ConfirmUpgrade()
    {
        Timers.Cancel("upgrade-confirm");
        _offline = OfflineState.Idle;
        var offline = StartOffline();
        return offline.Ok ? ControlReply.Done("upgrade confirmed, " + offline.Notice) : offline;
    }

    private ControlReply ResumeController(string why)
    {
        Timers.Cancel("upgrade-confirm");
        _offline = OfflineState.Idle;
        try
        {
            _shared = ControlListener.Bind(_sharedEndpoint with { Listen = _released ?? _sharedEndpoint.Listen }, _services.Time);
        }
        catch (SocketException e)
        {
            return ControlReply.Fail($"{why}: serving on, but the control endpoint {_sharedEndpoint.Listen} cannot be bound again: {e.Message}");
        }
        Run(_shared);
        return ControlReply.Done($"{why}: upgrade abandoned, control endpoint {_shared.LocalEndPoint} taken back, serving on");
    }
}
