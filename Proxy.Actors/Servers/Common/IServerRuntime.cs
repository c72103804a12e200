namespace Proxy.Actors.Servers.Common;

/// <summary>
/// A server family's protocol: what it does with a client transport. Runs as plain async code
/// under the connection's scope; stats, idle checks, the close and error task lines are the
/// runner's (<see cref="ConnectionRunner"/>), not the protocol's.
/// </summary>
public interface IServerRuntime : IAsyncDisposable
{
    Task HandleAsync(ClientTransport transport, ConnectionScope scope);
}
