using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace Proxy.Actors.Servers;

/// <summary>
/// One accepted client connection. Its whole life is a handful of messages: it starts the
/// connection's async task, learns when the task ends, and stops. Stopping it from outside
/// (force-quit, node stop) cancels the task. It never restarts.
/// </summary>
public sealed class ConnectionActor : ReceiveActor
{
    private sealed record Finished(Exception? Error);

    private readonly IServerRuntime _runtime;
    private readonly Socket _socket;
    private readonly long _acceptedAt;
    private readonly CancellationTokenSource _cts = new();

    public ConnectionActor(IServerRuntime runtime, Socket socket, long acceptedAt)
    {
        _runtime = runtime;
        _socket = socket;
        _acceptedAt = acceptedAt;
        Receive<Finished>(f =>
        {
            if (f.Error is not null)
                Context.GetLogger().Error(f.Error, "connection task failed: {0}", f.Error.Message);
            Context.Stop(Self);
        });
    }

    protected override void PreStart()
    {
        var self = Self;
        _runtime.HandleAsync(_socket, _acceptedAt, _cts.Token)
            .PipeTo(self, success: () => new Finished(null), failure: e => new Finished(e));
    }

    protected override void PostStop()
    {
        // Cancels a still-running task (the actor was stopped from outside); harmless otherwise.
        _cts.Cancel();
        _cts.Dispose();
    }
}
