using System.Net.Sockets;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// A running server as connection tasks reach it: the handle its actor publishes. Its own
/// listener's connections come in through <see cref="AcceptAsync"/>; a port server in front
/// (plain_tcp_port, plain_tls_port, intelli_proxy) hands its connections on through
/// <see cref="HandOffAsync"/>.
/// </summary>
public sealed class ServerEntry(ServerContext context, IServerRuntime runtime) : IAsyncDisposable
{
    public ServerContext Context { get; } = context;
    public IServerRuntime Runtime { get; } = runtime;

    public Task AcceptAsync(Socket socket, long acceptedAt, ActivityTracker lifetime) =>
        ConnectionRunner.RunAcceptedAsync(Runtime, socket, Context, lifetime, acceptedAt);

    /// <summary>
    /// A connection a port server accepted: this server's ingress filter applies to the client
    /// address the port learnt (a PROXY header's), then its protocol runs in the same connection.
    /// </summary>
    public Task HandOffAsync(ClientTransport transport, ConnectionScope from)
    {
        if (Context.Config.IngressNetworkFilter is { } filter && transport.Facts.ClientAddr is { } client
            && filter.Check(client.Address).IsForbidden())
        {
            var notes = from.HandOff(Context).NewTask(transport.Facts, "Unknown", from.AcceptedAt);
            notes.Reason = "ForbiddenClientAddress";
            from.HandOff(Context).FinishTask(notes);
            return Task.CompletedTask;
        }
        return ConnectionRunner.RunAsync(Runtime, transport, from.HandOff(Context));
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync().ConfigureAwait(false);
        Context.Dispose();
    }
}
