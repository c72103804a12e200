using System.Net;
using Proxy.Actors.Audit;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.Socks;

/// <summary>
/// SOCKS4/4a/5 CONNECT: the server's destination ACLs, an upstream through the escaper, the reply
/// (SOCKS5: the code for the failure, or success with the upstream socket's local address; SOCKS4:
/// 90 or 91), then <see cref="TunnelRelay"/>.
/// </summary>
internal static class SocksTcpConnect
{
    public static async Task RunAsync(SocksProxyRuntime server, SocksCommandRequest req, ConnectionScope scope, TaskNotes notes)
    {
        var ctx = server.Context;
        var client = req.Transport;
        notes.Upstream = req.Target.ToString();
        // g3's order: the user's rate limits, request_max_alive, proxy_request_filter and destination
        // rules, then the server's destination rules; each refusal is "not allowed by ruleset" (SOCKS4: 91).
        var refusal = UserTaskPolicy.Check(req.User, ProxyRequestType.SocksTcpConnect, req.Target, null, out var alive, notes, ctx.Stats);
        using var aliveSlot = alive;
        if (refusal is not null || TargetPolicy.IsForbidden(ctx, req.Target, notes))
        {
            notes.Reason = "ForbiddenByRule";
            if (refusal is not null) notes.Error = "user rules: " + refusal;
            await ReplyFailure(req, EscapeErrorKind.ForbiddenByRule, notes, scope).ConfigureAwait(false);
            return;
        }

        notes.Stage = "Connecting";
        ClientSocketOptions.ApplyUser(req.Transport, ctx.Config.TcpMiscOpts, req.User?.User);
        var upstream = await ServerEscape.EscapeAsync(ctx, new EscapeRequest(notes, req.Target, EscapeWant.Tcp).ForUser(req.User?.User), scope.Token).ConfigureAwait(false);
        if (!upstream.Ok)
        {
            await ReplyFailure(req, upstream.Error, notes, scope).ConfigureAwait(false);
            return;
        }
        try
        {
            notes.Stage = "Replying";
            var reply = req.Version == 4
                ? SocksReplies.V4(Socks4ReplyCode.Granted)
                : SocksReplies.V5(Socks5ReplyCode.Succeeded, upstream.BoundAddr ?? new IPEndPoint(IPAddress.Any, 0));
            if (!await SocksReplies.SendAsync(client.Stream, reply, notes.Bytes, scope.Token).ConfigureAwait(false))
            {
                notes.Reason = "ClientTcpWriteFailed";
                return;
            }
            notes.ReadyTime = ctx.Time.GetElapsedTime(notes.CreatedTimestamp);
            notes.Stage = "Relaying";
            var end = await AuditedTunnel.RunAsync(ctx, req.Target,
                new RelayEndpoint(client.Stream, client.Socket),
                new RelayEndpoint(upstream.Stream!, upstream.Socket),
                new RelayOptions(ctx.Config.TcpCopyBufferSize, ctx.Config.TcpSockSpeedLimit, upstream.SpeedLimit, ctx.Time) { User = req.User?.User },
                notes, scope.Lifetime).ConfigureAwait(false);
            notes.Reason = end.ToString();
            notes.Stage = "Finished";
        }
        finally
        {
            await upstream.DisposeUpstreamAsync().ConfigureAwait(false);
        }
    }

    private static async Task ReplyFailure(SocksCommandRequest req, EscapeErrorKind kind, TaskNotes notes, ConnectionScope scope)
    {
        var reply = req.Version == 4 ? SocksReplies.V4(Socks4ReplyCode.RejectedOrFailed) : SocksReplies.V5(SocksReplies.For(kind));
        await SocksReplies.SendAsync(req.Transport.Stream, reply, notes.Bytes, scope.Token).ConfigureAwait(false);
    }
}
