using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Tls;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>Gets an origin connection through the escaper, with TLS on top for https:// targets.</summary>
internal static class UpstreamConnector
{
    public readonly record struct Outcome(UpstreamConnection? Connection, int Status, bool AlwaysClose, string? Reason);

    /// <summary>
    /// A TCP connection through the escaper, its facts recorded in the task's notes, and an
    /// escape log line with the reason when there is none. Shared by forward and CONNECT.
    /// </summary>
    public static async Task<EscapeResult> EscapeAsync(
        HttpProxyServerContext ctx, IEscaper escaper, UpstreamAddr target, TaskNotes notes, CancellationToken ct)
    {
        var result = await escaper.ConnectTcpAsync(new EscapeRequest(target, notes.ClientAddr, notes.TaskId), ct).ConfigureAwait(false);
        notes.RecordEscape(result);
        if (!result.Ok)
        {
            notes.Reason = EscapeErrorStatus.Reason(result.Error);
            ctx.Logger.LogEscape(escaper.TypeName, escaper.Name, "TcpConnect", notes, result.Reason ?? result.Error.ToString());
        }
        return result;
    }

    public static async Task<Outcome> ConnectAsync(
        HttpProxyServerContext ctx, IEscaper escaper, UpstreamAddr target, string scheme, UpstreamKey key,
        TaskNotes notes, CancellationToken ct)
    {
        var result = await EscapeAsync(ctx, escaper, target, notes, ct).ConfigureAwait(false);
        if (!result.Ok)
        {
            return new Outcome(null, EscapeErrorStatus.For(result.Error), EscapeErrorStatus.AlwaysClose(result.Error), result.Reason);
        }

        var socket = result.Socket!;
        Stream stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        if (scheme == "https")
        {
            var tls = ctx.Config.TlsClient ?? TlsClientConfig.Default;
            var (ssl, error) = await TlsClientHandshake.ConnectAsync(stream, target.Host, tls, ct).ConfigureAwait(false);
            if (ssl is null)
            {
                notes.Reason = "UpstreamTlsHandshakeFailed";
                ctx.Logger.LogEscape(escaper.TypeName, escaper.Name, "TlsHandshake", notes, error ?? "tls handshake failed");
                return new Outcome(null, 525, false, error);
            }
            stream = ssl;
        }
        return new Outcome(new UpstreamConnection(key, socket, stream, result), 0, false, null);
    }
}
