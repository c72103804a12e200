using System.Net.Sockets;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Guardian;
using Proxy.Actors.Handles;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.HttpProxy;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Servers;

/// <summary>Builds the runtime of one configured server.</summary>
public static class ServerRuntimeFactory
{
    public static IServerRuntime Create(ServerConfig config, NodeServices services, ServerStats stats) => config switch
    {
        HttpProxyServerConfig http => new HttpProxyRuntime(new HttpProxyServerContext(http, services.Escapers, services.Logger, stats, services.Time)),
        DummyCloseServerConfig => new DummyCloseRuntime(),
        // The config loader refuses types it does not know, so reaching this is a bug.
        _ => throw new NotSupportedException($"server type '{config.TypeName}' is not supported yet"),
    };

    private sealed class HttpProxyRuntime(HttpProxyServerContext ctx) : IServerRuntime
    {
        public Task HandleAsync(Socket socket, long acceptedAt, ActivityTracker lifetime) =>
            HttpProxyConnection.RunAsync(ctx, socket, acceptedAt, lifetime);

        public ValueTask DisposeAsync() => ctx.DisposeAsync();
    }

    /// <summary>g3's dummy_close: accept, then close at once.</summary>
    private sealed class DummyCloseRuntime : IServerRuntime
    {
        public Task HandleAsync(Socket socket, long acceptedAt, ActivityTracker lifetime)
        {
            socket.Dispose();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
