using Proxy.Actors.Audit;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Escapers;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.HttpCommon;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// CONNECT host:port: ACL checks, an upstream through the escaper, "200 OK", then the
/// connection becomes a tunnel (<see cref="AuditedTunnel"/>: inspected when the server's auditor says so). Never returns to keep-alive.
/// </summary>
internal static class HttpConnectHandler
{
    private static readonly byte[] Ok10 = Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\n\r\n");
    private static readonly byte[] Ok11 = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\n");

    /// <summary>
    /// ACL checks, the escaper, "200 OK", and any bytes the client sent behind the head; the
    /// upstream with the target the client named (the auditor's policies match on it). Null
    /// when the request was refused or failed (the client got its status; the connection ends).
    /// </summary>
    public static async Task<(EscapeResult Tunnel, UpstreamAddr Target)?> OpenAsync(HttpProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes)
    {
        var ct = client.Token;
        var target = RequestTarget.Parse(req.Method, req.Target);
        if (target?.Upstream is null) return await Refuse(client, req, notes, 400, "InvalidClientProtocol");
        notes.Upstream = target.Upstream.ToString();
        if (UserRequestPolicy.Check(client.User, ProxyRequestType.HttpConnect, target.Upstream, null, out var alive, notes, ctx.Server.Stats) is { } refused)
            return await Refuse(client, req, notes, refused.Status, refused.Reason);
        if (alive is not null) client.HoldForRequest(alive);
        if (TargetPolicy.IsForbidden(ctx.Server, target.Upstream, notes)) return await Refuse(client, req, notes, 403, "ForbiddenByRule");

        notes.Stage = "Connecting";
        ClientSocketOptions.ApplyUser(client.Transport, ctx.Config.TcpMiscOpts, client.User?.User);
        var tunnel = await ServerEscape.EscapeAsync(ctx.Server, new EscapeRequest(notes, target.Upstream, EscapeWant.Tcp).ForUser(client.User?.User), ct).ConfigureAwait(false);
        if (!tunnel.Ok)
            return await Refuse(client, req, notes, EscapeErrorStatus.For(tunnel.Error), notes.Reason!, ProxyInfoHeaders.ForLocalReply(ctx.Config, notes, null));

        notes.Stage = "Connected";
        var ok = ProxyInfoHeaders.Any(ctx.Config) ? OkWithInfo(ctx, req.Version, notes, tunnel) : req.Version == 10 ? Ok10 : Ok11;
        try
        {
            await WriteOkAsync(client, ok, ct).ConfigureAwait(false);
            notes.Bytes.ClientWritten += ok.Length;
            notes.RspStatus = 200;
            notes.ReadyTime = ctx.Time.GetElapsedTime(notes.CreatedTimestamp);
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            notes.Reason = "ClientTcpWriteFailed";
            await tunnel.DisposeUpstreamAsync().ConfigureAwait(false);
            return null;
        }

        // Bytes the client sent right behind the CONNECT head belong to the tunnel.
        if (!await HttpForwardExchange.FlushBufferedAsync(client.Reader, tunnel.Stream!, ct).ConfigureAwait(false))
        {
            notes.Reason = "UpstreamWriteFailed";
            await tunnel.DisposeUpstreamAsync().ConfigureAwait(false);
            return null;
        }
        return (tunnel, target.Upstream);
    }

    /// <summary>
    /// Relays until the tunnel ends, after giving back what HTTP parsing held (the reader and its
    /// segments, the phase timer): a tunnel may idle for hours. Not an async method of its own:
    /// the caller's frame is the only one a waiting tunnel keeps besides the relay's.
    /// </summary>
    public static Task<RelayEnd> RelayAsync(HttpProxyServerContext ctx, ClientConnection client, EscapeResult tunnel, UpstreamAddr target, TaskNotes notes)
    {
        client.ReleaseReader();
        client.Timer.Dispose();
        notes.Stage = "Relaying";
        return AuditedTunnel.RunAsync(ctx.Server, target,
            new RelayEndpoint(client.Stream, client.Socket),
            new RelayEndpoint(tunnel.Stream!, tunnel.Socket),
            new RelayOptions(ctx.Config.TcpCopyBufferSize, ctx.Config.TcpSockSpeedLimit, tunnel.SpeedLimit, ctx.Time) { User = client.User?.User },
            notes, client.Activity);
    }

    /// <summary>
    /// The "200 OK" goes out with a non-blocking send when the client is a plain socket: an
    /// asynchronous send would leave the socket caching its send machinery (~360 bytes) for the
    /// rest of a tunnel that may never send to the client. A send the kernel cannot take whole
    /// right now (the client left earlier replies unread) finishes asynchronously as before.
    /// </summary>
    private static ValueTask WriteOkAsync(ClientConnection client, byte[] ok, CancellationToken ct)
    {
        var sent = 0;
        if (client.Stream is NetworkStream && client.Socket is { } socket)
        {
            socket.Blocking = false;
            try
            {
                sent = socket.Send(ok, SocketFlags.None, out var error);
                if (error != SocketError.Success && error != SocketError.WouldBlock) throw new SocketException((int)error);
            }
            finally
            {
                socket.Blocking = true;
            }
        }
        return sent == ok.Length ? ValueTask.CompletedTask : client.Stream.WriteAsync(ok.AsMemory(sent), ct);
    }

    /// <summary>The 200 with server_id's and echo_chained_info's fields, as g3 answers a CONNECT.</summary>
    private static byte[] OkWithInfo(HttpProxyServerContext ctx, int version, TaskNotes notes, EscapeResult tunnel)
    {
        var b = new StringBuilder(version == 10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n");
        foreach (var (name, value) in ProxyInfoHeaders.ForLocalReply(ctx.Config, notes, tunnel)) b.Append(name).Append(": ").Append(value).Append("\r\n");
        return Encoding.ASCII.GetBytes(b.Append("\r\n").ToString());
    }

    private static async Task<(EscapeResult, UpstreamAddr)?> Refuse(ClientConnection client, HttpRequestHead req, TaskNotes notes, int status, string reason,
        IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        notes.Reason = reason;
        notes.Stage = "Preparing";
        await HttpReply.RefuseAsync(client, notes, status, req.Version, headRequest: false, close: true, extra).ConfigureAwait(false);
        return null;
    }
}
