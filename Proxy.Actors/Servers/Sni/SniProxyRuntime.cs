using System.Buffers;
using Proxy.Actors.Audit.Inspect;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.Streams;

using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Sni;

/// <summary>
/// g3's sni_proxy: waits for the first bytes (request_wait_timeout), reads the whole ClientHello or
/// HTTP head (request_recv_timeout), connects through the escaper to the host it names on the
/// dialled port (or where allowed_hosts redirects it), replays what was read and relays.
/// </summary>
internal sealed class SniProxyRuntime(SniProxyServerConfig config) : IServerRuntime
{
    // TLS records around a ClientHello of the maximum size add a header each.
    private int MaxRead => config.TlsMaxClientHelloSize + 1024;

    public async Task HandleAsync(ClientTransport transport, ConnectionScope scope)
    {
        var notes = StreamTunnel.NewTask(transport, scope);
        notes.Stage = "Preparing";
        var first = await TransportPeek.ReadAsync(transport.Stream, AnyByte, 1, config.RequestWaitTimeout, scope.Time, scope.Token).ConfigureAwait(false);
        if (!first.Result.IsDone)
        {
            End(scope, notes, first, "timeout to wait client request");
            return;
        }
        var port = (transport.Facts.ServerAddr ?? transport.Facts.LocalAddr)?.Port ?? 0;
        var maxRead = MaxRead;
        var maxHello = config.TlsMaxClientHelloSize;
        var limits = StreamInspector.Limits(config.ProtocolInspection.Data0SizeLimit);
        var clientPort = transport.Facts.ClientAddr?.Port ?? 0;
        var hinted = (config.ClientTcpPortmap.Get(clientPort) ?? config.ServerTcpPortmap.Get(port))?.Protocols;
        var request = await TransportPeek.ReadAsync(new PrefixedStream(first.Bytes, transport.Stream),
            (in ReadOnlySequence<byte> b) => SniRequestParser.Parse(b, port, maxHello, limits, hinted), maxRead,
            config.RequestRecvTimeout, scope.Time, scope.Token).ConfigureAwait(false);
        if (!request.Result.IsDone)
        {
            End(scope, notes, request, "timeout to receive full client request");
            return;
        }
        var target = request.Result.Value!.Target;
        if (config.AllowedHosts is { } allowed)
        {
            if (allowed.Get(target.Host) is not { } host)
            {
                notes.Upstream = target.ToString();
                notes.Reason = "ForbiddenByRule";
                notes.Error = "host not in allowed_hosts";
                scope.FinishTask(notes);
                return;
            }
            target = host.Redirect(target);
        }
        var login = FactsLogin.Pick(scope.Server, transport.Facts, target, notes);
        if (login.Refused)
        {
            notes.Upstream = target.ToString();
            scope.FinishTask(notes);
            return;
        }
        // Everything read goes to the upstream first, as the client sent it.
        await StreamTunnel.RunAsync(transport.WithPrefix(request.Bytes), scope, notes, new StreamTunnel.Target(target) { User = login.User }).ConfigureAwait(false);
    }

    private static ParseResult<bool> AnyByte(in ReadOnlySequence<byte> b) =>
        b.IsEmpty ? ParseResult<bool>.NeedMore : ParseResult<bool>.Done(true, 0);

    /// <summary>g3's reasons for a request that never became a target.</summary>
    private static void End<T>(ConnectionScope scope, TaskNotes notes, TransportPeek.Peeked<T> peek, string timeout)
    {
        (notes.Reason, notes.Error) = peek switch
        {
            { TimedOut: true } => ("ClientAppTimeout", timeout),
            { Closed: true } => ("ClosedByClient", peek.Bytes.IsEmpty ? "closed before sending anything" : "closed inside the request"),
            _ => ("InvalidClientProtocol", peek.Result.Reason),
        };
        scope.FinishTask(notes);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
