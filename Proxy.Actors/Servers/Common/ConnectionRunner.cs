using System.Net.Sockets;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// The part of serving a connection that every server shares: counters, the idle check, a task
/// line for a protocol that fails by exception, and the close (staged after an error reply).
/// A server family writes its <see cref="IServerRuntime"/> and nothing of this.
/// </summary>
public static class ConnectionRunner
{
    /// <summary>A connection this server accepted: runs the protocol, then closes the transport.</summary>
    public static async Task RunAcceptedAsync(IServerRuntime runtime, ClientTransport transport, ConnectionScope scope)
    {
        try
        {
            await RunAsync(runtime, transport, scope).ConfigureAwait(false);
        }
        finally
        {
            await TransportCloser.CloseAsync(transport, scope.ClosingAfterError, scope.Time, scope.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a protocol under the scope's server (an accepted connection or one handed on by a port server).</summary>
    public static async Task RunAsync(IServerRuntime runtime, ClientTransport transport, ConnectionScope scope)
    {
        var server = scope.Server;
        using var tracking = server.Idle.Track(scope.Lifetime);
        server.Stats.ConnectionOpened();
        try
        {
            await runtime.HandleAsync(transport, scope).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug, not a client's doing: this connection ends, with a task line that says why.
            var notes = scope.NewTask(transport.Facts, "Unknown", scope.AcceptedAt);
            notes.Stage = "Finished";
            notes.Reason = IoErrors.IsExpected(e) ? "ClientTcpReadFailed" : "InternalServerError";
            notes.Error = e.GetType().Name + ": " + e.Message;
            scope.FinishTask(notes);
        }
        finally
        {
            server.Stats.ConnectionClosed();
        }
    }

    /// <summary>An accepted socket as the transport every server starts from.</summary>
    public static Task RunAcceptedAsync(IServerRuntime runtime, Socket socket, ServerContext server, ActivityTracker lifetime, long acceptedAt) =>
        RunAcceptedAsync(runtime, ClientTransport.FromSocket(socket), new ConnectionScope(server, lifetime, acceptedAt));
}
