using System.Text;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// CONNECT host:port: ACL checks, an upstream through the escaper, "200 OK", then the
/// connection becomes a plain tunnel in <see cref="TunnelRelay"/>. Never returns to keep-alive.
/// </summary>
internal static class HttpConnectHandler
{
    private static readonly byte[] Ok10 = Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\n\r\n");
    private static readonly byte[] Ok11 = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\n");

    public static async Task<bool> RunAsync(HttpProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes)
    {
        var ct = client.Token;
        var target = RequestTarget.Parse(req.Method, req.Target);
        if (target?.Upstream is null) return await Refuse(client, req, notes, 400, "InvalidClientProtocol", ct);
        notes.Upstream = target.Upstream.ToString();
        if (TargetPolicy.IsForbidden(ctx.Config, target.Upstream)) return await Refuse(client, req, notes, 403, "ForbiddenByRule", ct);

        var escaper = ctx.Escapers.Get(ctx.Config.Escaper);
        notes.Escaper = escaper.Name;
        notes.Stage = "Connecting";
        var result = await UpstreamConnector.EscapeAsync(ctx, escaper, target.Upstream, notes, ct).ConfigureAwait(false);
        if (!result.Ok)
            return await Refuse(client, req, notes, EscapeErrorStatus.For(result.Error), EscapeErrorStatus.Reason(result.Error), ct);

        using var upstream = result.Socket!;
        await using var upstreamStream = new System.Net.Sockets.NetworkStream(upstream, ownsSocket: false);
        notes.Stage = "Connected";
        var ok = req.Version == 10 ? Ok10 : Ok11;
        try
        {
            await client.Stream.WriteAsync(ok, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (BodyForwarder.IsIo(e))
        {
            notes.Reason = "ClientTcpWriteFailed";
            return false;
        }
        notes.Bytes.ClientWritten += ok.Length;
        notes.RspStatus = 200;
        notes.ReadyTime = ctx.Time.GetElapsedTime(notes.CreatedTimestamp);

        // Bytes the client sent right behind the CONNECT head belong to the tunnel.
        if (!await HttpForwardHandler.FlushBufferedAsync(client.Reader, upstreamStream, ct).ConfigureAwait(false))
        {
            notes.Reason = "UpstreamWriteFailed";
            return false;
        }
        notes.Stage = "Relaying";
        // The HTTP side of the connection is over: give back what parsing held (reader
        // segments, the phase timer's token source) before the tunnel idles for hours.
        await client.Reader.CompleteAsync().ConfigureAwait(false);
        client.Timer.Dispose();
        var end = await TunnelRelay.RunAsync(
            new RelayEndpoint(client.Stream, client.Socket),
            new RelayEndpoint(upstreamStream, upstream),
            new RelayOptions(ctx.Config.TcpCopyBufferSize, ctx.Config.TcpSockSpeedLimit, result.SpeedLimit, ctx.Time),
            notes.Bytes, client.Activity).ConfigureAwait(false);
        notes.Reason = end.ToString();
        notes.Stage = "Finished";
        return false;
    }

    private static async Task<bool> Refuse(ClientConnection client, HttpRequestHead req, TaskNotes notes, int status, string reason, CancellationToken ct)
    {
        notes.Reason = reason;
        notes.RspStatus = status;
        notes.Stage = "Preparing";
        client.ClosingAfterError = true;
        await HttpReply.SendErrorAsync(client.Stream, status, req.Version, close: true, ct).ConfigureAwait(false);
        return false;
    }
}
