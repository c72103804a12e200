using System.Net.Sockets;

namespace Proxy.Actors.Servers;

/// <summary>
/// What a server type does with an accepted connection. Runs as plain async code started by
/// the connection's actor; the actor only learns when it is over.
/// </summary>
public interface IServerRuntime : IAsyncDisposable
{
    Task HandleAsync(Socket socket, long acceptedAt, CancellationToken ct);
}
