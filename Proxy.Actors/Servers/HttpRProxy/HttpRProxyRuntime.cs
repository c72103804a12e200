using Proxy.Actors.Config.Servers;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.HttpRProxy;

/// <summary>
/// g3's http_rproxy: plain HTTP, or (enable_tls_server) TLS first with the site's certificates
/// chosen by SNI within client_hello_recv_timeout, then the same request loop.
/// </summary>
internal sealed class HttpRProxyRuntime : IServerRuntime
{
    private readonly IServerRuntime _entry;

    public HttpRProxyRuntime(HttpRProxyServerConfig config, ServerContext server)
    {
        var ctx = new HttpRProxyServerContext(config, server);
        var requests = new RequestLoop(ctx);
        _entry = config.EnableTlsServer
            ? new TlsAcceptStep(hello => ctx.TlsFor(hello.ServerName), config.ClientHelloRecvTimeout) { Next = requests }
            : requests;
    }

    public Task HandleAsync(ClientTransport transport, ConnectionScope scope) => _entry.HandleAsync(transport, scope);

    public ValueTask DisposeAsync() => _entry.DisposeAsync();

    private sealed class RequestLoop(HttpRProxyServerContext ctx) : IServerRuntime
    {
        public Task HandleAsync(ClientTransport transport, ConnectionScope scope) => HttpRProxyConnection.RunAsync(ctx, transport, scope);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
