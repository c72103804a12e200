using Proxy.Actors.Config.Servers;
using Proxy.Actors.Handles;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Servers.Ports;

/// <summary>
/// g3's plain_tcp_port, plain_tls_port and native_tls_port: the PROXY header if configured, TLS
/// if configured, then the connection is handed to the next server by name (looked up per
/// connection, so a reloaded next server is used at once). Nothing of a protocol of its own.
/// </summary>
internal sealed class PortRuntime(PortServerConfig config, HandleRegistry<ServerEntry> servers) : IServerRuntime
{
    private readonly TlsAcceptStep? _tls = config.TlsServer is { } tls ? new TlsAcceptStep(new TlsServerSetup(tls)) : null;

    public async Task HandleAsync(ClientTransport transport, ConnectionScope scope)
    {
        if (config.ProxyProtocol is { } version)
        {
            var proxied = await ProxyProtocolStep.ReadAsync(transport, scope, version, config.ProxyProtocolReadTimeout).ConfigureAwait(false);
            if (proxied is null) return;
            transport = proxied;
        }
        if (_tls is not null)
        {
            var secured = await _tls.AcceptAsync(transport, scope).ConfigureAwait(false);
            if (secured is null) return;
            transport = secured;
        }
        if (!servers.TryGet(config.NextServer, out var next))
        {
            var notes = scope.NewTask(transport.Facts, "Unknown", scope.AcceptedAt);
            notes.Reason = "InternalServerError";
            notes.Error = $"next server '{config.NextServer}' is not running";
            scope.FinishTask(notes);
            return;
        }
        await next.HandOffAsync(transport, scope).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
