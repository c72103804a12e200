using System.Net.Sockets;
using Proxy.Actors.Relay;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// The part of serving a connection that every server shares: counters, the idle check, a task
/// line for a protocol that fails by exception, and the close (staged after an error reply).
/// A server family writes its <see cref="IServerRuntime"/> and nothing of this.
/// </summary>
public static class ConnectionRunner
{
    /// <summary>A connection this server accepted: runs the protocol, then closes the transport.</summary>
    public static Task RunAcceptedAsync(IServerRuntime runtime, ClientTransport transport, ConnectionScope scope) =>
        RunCoreAsync(runtime, transport, scope, close: true);

    /// <summary>Runs a protocol under the scope's server (an accepted connection or one handed on by a port server).</summary>
    public static Task RunAsync(IServerRuntime runtime, ClientTransport transport, ConnectionScope scope) =>
        RunCoreAsync(runtime, transport, scope, close: false);

    /// <remarks>
    /// One async frame for both entries: an idle tunnel keeps every frame above its relay alive
    /// for hours, so the close is a flag here rather than an outer frame around this one.
    /// </remarks>
    private static async Task RunCoreAsync(IServerRuntime runtime, ClientTransport transport, ConnectionScope scope, bool close)
    {
        try
        {
            var server = scope.Server;
            server.Idle.Add(scope.Lifetime);
            server.Stats.ConnectionOpened();
            try
            {
                // tcp_misc_opts on the accepted socket; a handed-on connection got its port server's
                if (close && transport.Socket is { } socket && server.Config.TcpMiscOpts != TcpMiscSockOpts.None)
                    ClientSocketOptions.Apply(socket, server.Config.TcpMiscOpts);
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
                server.Idle.Remove(scope.Lifetime);
                server.Stats.ConnectionClosed();
            }
        }
        finally
        {
            if (close) await TransportCloser.CloseAsync(transport, scope.ClosingAfterError, scope.Time, scope.Token).ConfigureAwait(false);
        }
    }

    /// <summary>An accepted socket as the transport every server starts from.</summary>
    public static Task RunAcceptedAsync(IServerRuntime runtime, Socket socket, ServerContext server, ActivityTracker lifetime, long acceptedAt) =>
        RunAcceptedAsync(runtime, ClientTransport.FromSocket(socket), new ConnectionScope(server, lifetime, acceptedAt));
}
