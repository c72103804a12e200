using System.Net.Sockets;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers;

/// <summary>
/// What a server type does with an accepted connection. Runs as plain async code started by
/// the connection's actor; the actor only learns when it is over.
/// </summary>
public interface IServerRuntime : IAsyncDisposable
{
    /// <param name="lifetime">The connection's cancel switch and activity counter, owned by its actor.</param>
    Task HandleAsync(Socket socket, long acceptedAt, ActivityTracker lifetime);
}
