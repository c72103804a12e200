using Akka.Actor;
using Proxy.Actors.Guardian;

namespace Proxy.Control.Host;

/// <summary>
/// g3's graceful offline as a state of the control actor: <c>Idle</c> → (offline) <c>Waiting</c>
/// for runtime.server_offline_delay, where cancel-shutdown returns to Idle → <c>Draining</c>:
/// servers stop accepting, tasks get up to task_wait_timeout → <c>Quitting</c>: what is left is
/// force-quit and gets up to task_quit_timeout to end → the host leaves the cluster and exits.
/// </summary>
internal sealed partial class ControlActor
{
    private enum OfflineState { Idle, Waiting, Released, Draining, Quitting }

    private sealed record StartDrain;
    private sealed record QuitCheck;

    private static readonly TimeSpan QuitPoll = TimeSpan.FromMilliseconds(100);

    private OfflineState _offline = OfflineState.Idle;
    private long _quitDeadline;

    private void OfflineReceives()
    {
        Receive<StartDrain>(_ =>
        {
            _offline = OfflineState.Draining;
            var wait = _config.Runtime.TaskWaitTimeout;
            Guardian.Ask<NodeMessages.Drained>(new NodeMessages.Drain(wait), wait + TimeSpan.FromMinutes(1))
                .PipeTo(Self, failure: _ => new NodeMessages.Drained(-1));
        });
        Receive<NodeMessages.Drained>(d =>
        {
            _offline = OfflineState.Quitting;
            if (d.Remaining != 0) ForceQuitEverything();
            _quitDeadline = _services.Time.GetTimestamp();
            Self.Tell(new QuitCheck());
        });
        Receive<QuitCheck>(_ =>
        {
            var alive = _services.ServerStats.Values.Sum(s => s.AliveConnections);
            if (alive > 0 && _services.Time.GetElapsedTime(_quitDeadline) < _config.Runtime.TaskQuitTimeout)
            {
                Timers.StartSingleTimer("quit-check", new QuitCheck(), QuitPoll);
                return;
            }
            _hooks.RequestExit();
        });
    }

    private ControlReply StartOffline()
    {
        if (_offline != OfflineState.Idle) return ControlReply.Fail("already going offline");
        _offline = OfflineState.Waiting;
        var delay = _config.Runtime.ServerOfflineDelay;
        Timers.StartSingleTimer("offline", new StartDrain(), delay);
        return ControlReply.Done($"going offline: servers stop accepting in {Human(delay)}, running tasks then get up to {Human(_config.Runtime.TaskWaitTimeout)}");
    }

    private ControlReply CancelShutdown()
    {
        switch (_offline)
        {
            case OfflineState.Idle:
                return ControlReply.Done("no shutdown in progress");
            case OfflineState.Released:
                return ResumeController("cancel-shutdown");
            case OfflineState.Waiting:
                Timers.Cancel("offline");
                _offline = OfflineState.Idle;
                return ControlReply.Done("shutdown cancelled");
            default:
                return ControlReply.Fail("too late to cancel: servers have stopped accepting");
        }
    }

    private void ForceQuitEverything() =>
        Context.ActorSelection(Servers).Tell(new FamilyActor.Broadcast(NodeMessages.ForceQuit.Instance, Self));

    private static string Human(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{t.TotalHours:0.##}h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.##}m" : $"{t.TotalSeconds:0.###}s";
}
