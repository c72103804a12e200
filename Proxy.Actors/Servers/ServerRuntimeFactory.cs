using Proxy.Actors.Config.Servers;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.HttpProxy;
using Proxy.Actors.Servers.HttpRProxy;
using Proxy.Actors.Servers.Ports;
using Proxy.Actors.Servers.Sni;
using Proxy.Actors.Servers.Socks;
using Proxy.Actors.Servers.Streams;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Servers;

/// <summary>Builds the protocol runtime of one configured server.</summary>
public static class ServerRuntimeFactory
{
    public static IServerRuntime Create(ServerConfig config, ServerContext context, ServerDeps deps) => config switch
    {
        PortServerConfig port => new PortRuntime(port, deps.Servers),
        IntelliProxyServerConfig intelli => new IntelliProxyRuntime(intelli, deps.Servers),
        _ when config.TlsServer is { } tls => new TlsAcceptStep(new TlsServerSetup(tls)) { Next = Protocol(config, context) },
        _ => Protocol(config, context),
    };

    private static IServerRuntime Protocol(ServerConfig config, ServerContext context) => config switch
    {
        HttpProxyServerConfig http => new HttpProxyRuntime(new HttpProxyServerContext(http, context)),
        HttpRProxyServerConfig rproxy => new HttpRProxyRuntime(rproxy, context),
        SocksProxyServerConfig socks => new SocksProxyRuntime(socks, context),
        DummyCloseServerConfig => new DummyCloseRuntime(),
        StreamServerConfig stream => new StreamRuntime(stream),
        SniProxyServerConfig sni => new SniProxyRuntime(sni),
        TcpTProxyServerConfig => new TransparentRuntime(),
        // The config loader refuses types it does not know, so reaching this is a bug.
        _ => throw new NotSupportedException($"server type '{config.TypeName}' is not supported yet"),
    };

    private sealed class HttpProxyRuntime(HttpProxyServerContext ctx) : IServerRuntime
    {
        public Task HandleAsync(ClientTransport transport, ConnectionScope scope) => HttpProxyConnection.RunAsync(ctx, transport, scope);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>g3's dummy_close: accept, then close at once (the runner closes).</summary>
    private sealed class DummyCloseRuntime : IServerRuntime
    {
        public Task HandleAsync(ClientTransport transport, ConnectionScope scope) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
