using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Proxy.Actors.Relay;

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
    private sealed record Finished(Exception? Error);

    private readonly IServerRuntime _runtime;
    private readonly Socket _socket;
    private readonly long _acceptedAt;
    private readonly ActivityTracker _lifetime = new();
    private bool _finished;

    public ConnectionActor(IServerRuntime runtime, Socket socket, long acceptedAt)
    {
        _runtime = runtime;
        _socket = socket;
        _acceptedAt = acceptedAt;
    }

    protected override void OnReceive(object message)
    {
        if (message is not Finished f)
        {
            Unhandled(message);
            return;
        }
        _finished = true;
        if (f.Error is not null) Context.GetLogger().Error(f.Error, "connection task failed: {0}", f.Error.Message);
        Context.Stop(Self);
    }

    protected override void PreStart()
    {
        _runtime.HandleAsync(_socket, _acceptedAt, _lifetime).ContinueWith(
            static (task, self) => ((IActorRef)self!).Tell(new Finished(task.Exception?.GetBaseException())),
            Self, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    protected override void PostStop()
    {
        // Stopped from outside while the task runs: abort it (it unwinds on its own and may
        // still touch the token, so the source is only disposed once the task has finished).
        if (_finished) _lifetime.Dispose();
        else _lifetime.Abort();
    }
}
