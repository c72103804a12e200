using System.Buffers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Handles;
using Proxy.Actors.Protocols;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.Ports;

/// <summary>
/// g3's intelli_proxy: the PROXY header if configured, then the first byte tells the protocol as
/// g3's detection does (0x04/0x05: SOCKS; G H P D C O T: an HTTP method), and the connection goes,
/// with that byte put back, to socks_server or http_server (looked up per connection). Nothing
/// within protocol_detection_timeout, or an unknown first byte: closed silently.
/// </summary>
internal sealed class IntelliProxyRuntime(IntelliProxyServerConfig config, HandleRegistry<ServerEntry> servers) : IServerRuntime
{
    public async Task HandleAsync(ClientTransport transport, ConnectionScope scope)
    {
        if (config.ProxyProtocol is { } version)
        {
            var proxied = await ProxyProtocolStep.ReadAsync(transport, scope, version, config.ProxyProtocolReadTimeout).ConfigureAwait(false);
            if (proxied is null) return;
            transport = proxied;
        }
        var peeked = await TransportPeek.ReadAsync(transport.Stream, static (in ReadOnlySequence<byte> b) =>
            b.IsEmpty ? ParseResult<byte>.NeedMore : ParseResult<byte>.Done(b.FirstSpan[0], 0), 1,
            config.ProtocolDetectionTimeout, scope.Time, scope.Token).ConfigureAwait(false);
        if (!peeked.Result.IsDone)
        {
            Finish(scope, transport, peeked.TimedOut ? "ClientAppTimeout" : "ClosedByClient",
                peeked.TimedOut ? "no byte within protocol_detection_timeout" : "closed before the first byte");
            return;
        }
        var next = Detect(peeked.Result.Value) switch
        {
            Detected.Socks => config.SocksServer,
            Detected.Http => config.HttpServer,
            _ => null,
        };
        if (next is null)
        {
            Finish(scope, transport, "InvalidClientProtocol", $"unknown protocol (first byte 0x{peeked.Result.Value:X2})");
            return;
        }
        if (!servers.TryGet(next, out var entry))
        {
            Finish(scope, transport, "InternalServerError", $"next server '{next}' is not running");
            return;
        }
        await entry.HandOffAsync(transport.WithPrefix(peeked.Bytes), scope).ConfigureAwait(false);
    }

    internal enum Detected { Unknown, Http, Socks }

    internal static Detected Detect(byte first) => first switch
    {
        0x04 or 0x05 => Detected.Socks,
        (byte)'G' or (byte)'H' or (byte)'P' or (byte)'D' or (byte)'C' or (byte)'O' or (byte)'T' => Detected.Http,
        _ => Detected.Unknown,
    };

    private static void Finish(ConnectionScope scope, ClientTransport transport, string reason, string error)
    {
        var notes = scope.NewTask(transport.Facts, "Unknown", scope.AcceptedAt);
        notes.Stage = "Preparing";
        notes.Reason = reason;
        notes.Error = error;
        scope.FinishTask(notes);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
