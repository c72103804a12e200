using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers;

/// <summary>
/// One accepted client connection. Its whole life is a handful of messages: it starts the
/// connection's async task, learns when the task ends, and stops. Stopping it from outside
/// (force-quit, node stop) aborts the task. It never restarts.
/// An <see cref="UntypedActor"/> and a plain continuation instead of ReceiveActor and PipeTo:
/// thousands of idle tunnels each hold one of these, so its per-instance state is kept small.
/// </summary>
public sealed class ConnectionActor : UntypedActor
{
    /// <summary>The accepted socket, sent right after the actor is made: the server's Props stay shared.</summary>
    public sealed record Start(Socket Socket, long AcceptedAt);

    private sealed record Finished(Exception? Error);

    private readonly ServerEntry _server;
    private readonly ActivityTracker _lifetime = new();
    private bool _started;
    private bool _finished;

    public ConnectionActor(ServerEntry server) => _server = server;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Start s when !_started:
                _started = true;
                _server.AcceptAsync(s.Socket, s.AcceptedAt, _lifetime).ContinueWith(
                    static (task, self) => ((IActorRef)self!).Tell(new Finished(task.Exception?.GetBaseException())),
                    Self, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                break;
            case Finished f:
                _finished = true;
                // The runner logs a protocol's failure as a task line; what reaches here is the runner's own.
                if (f.Error is not null) Context.GetLogger().Error(f.Error, "connection task failed: {0}", f.Error.Message);
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop()
    {
        // Stopped from outside while the task runs: abort it (it unwinds on its own and may
        // still touch the token, so the source is only disposed once the task has finished).
        if (_finished || !_started) _lifetime.Dispose();
        else _lifetime.Abort();
    }
}
