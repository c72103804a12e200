using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.HttpCommon;

namespace Proxy.Actors.Servers.HttpRProxy;

internal enum QuickForward { NotTaken, Renew, KeepAlive, Close }

/// <summary>
/// The common reverse-proxy request in one frame: no body, no upgrade, an idle pooled upstream.
/// The head goes out written straight from the parsed fields with the hop-by-hop ones skipped
/// (the parsed set is not changed, no plan or closure is made), and the response is read and
/// relayed by the shared exchange's steps. Anything else, or no idle connection, is left to
/// <see cref="HttpForwardExchange"/> before a byte was sent; a pooled connection found dead asks
/// the caller to go there on a fresh one.
/// </summary>
internal static class HttpRProxyQuickForward
{
    /// <summary>
    /// The request's Connection fields name nothing but close / keep-alive: then Host, Via and the
    /// Forwarded field cannot be among the fields they drop, and the head is written in one pass.
    /// </summary>
    public static bool Fits(HttpRequestHead req)
    {
        if (req.Headers.ConnectionNamed(keepUpgrade: false) is not { } named) return true;
        foreach (var n in named)
            if (!n.Equals("close", StringComparison.OrdinalIgnoreCase) && !n.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }

    public static async ValueTask<QuickForward> TryAsync(HttpRProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes,
        HttpRProxyHostConfig site, UpstreamAddr upstream, string path, string via)
    {
        var server = ctx.Server;
        var cfg = ctx.Config;
        var request = HttpForwardExchange.NewEscapeRequest(server, cfg, client, notes, upstream, site.TlsClient, site.TlsName, hasBody: false, fresh: false);
        if (ServerEscape.TryTakePooled(server, request) is not { Http: { } pooled }) return QuickForward.NotTaken;
        notes.Stage = "Connecting";
        var conn = HttpForwardExchange.Held(server, notes, pooled);
        var ct = client.Token;
        var reusable = false;
        try
        {
            using (var head = UpstreamHead(ctx, client, req, HttpRProxyHandler.UpstreamLine(site, upstream, path, conn), via, conn))
            {
                try
                {
                    await conn.Stream.WriteAsync(head.Written, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IoErrors.IsExpected(e))
                {
                    return QuickForward.Renew;
                }
                notes.Bytes.RemoteWritten += head.Length;
            }
            notes.Stage = "Relaying";
            var rspStarted = server.Time.GetTimestamp();
            HttpResponseHead rsp;
            while (true)
            {
                var (status, parsed) = await HttpForwardExchange.ReadResponseHeadAsync(server, cfg, client, notes, conn, ct).ConfigureAwait(false);
                // A pooled connection the origin closed a moment ago: nothing of the request was consumed.
                if (status == HttpForwardExchange.RspRead.ClosedBeforeAnyByte) return QuickForward.Renew;
                if (status != HttpForwardExchange.RspRead.Ok)
                {
                    await HttpForwardExchange.ResponseFailedAsync(client, req, notes, status, null).ConfigureAwait(false);
                    return QuickForward.Close;
                }
                rsp = parsed!;
                notes.Bytes.RemoteRead += rsp.WireLength;
                if (rsp.Status is >= 100 and < 200 and not 101)
                {
                    if (!await HttpForwardExchange.ForwardInterimAsync(client, req, rsp, notes, ct).ConfigureAwait(false)) return QuickForward.Close;
                    continue;
                }
                break;
            }
            notes.DurRspRecvHdr = server.Time.GetElapsedTime(rspStarted);
            notes.OriginStatus = rsp.Status;
            notes.RspStatus = rsp.Status;
            var (end, clean) = await HttpForwardExchange.RespondAsync(server, cfg, client, req, rsp, conn, notes, bodySent: true,
                HttpForwardExchange.ClientWantsKeepAlive(req), decorate: null, failFields: null, ct).ConfigureAwait(false);
            reusable = clean;
            return end == HttpForwardExchange.Exchange.KeepAlive ? QuickForward.KeepAlive : QuickForward.Close;
        }
        finally
        {
            await conn.ReleaseAsync(reusable).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The head <see cref="HttpForwardExchange.UpstreamHead"/> writes for this request after the slow
    /// path's edits (Authorization cut under a user_group, Via and the Forwarded field added,
    /// hop-by-hop fields dropped), field for field, without making those edits.
    /// </summary>
    private static HeadWriter UpstreamHead(HttpRProxyServerContext ctx, ClientConnection client, HttpRequestHead req, string line, string via, HttpUpstream conn)
    {
        var headers = req.Headers;
        var named = headers.ConnectionNamed(keepUpgrade: false);
        var dropAuthorization = ctx.Server.UserGroup is not null;
        var w = new HeadWriter(1024);
        w.Append(req.Method).Append(" ").Append(line).Append(" HTTP/1.1\r\n"u8);
        w.Field("Host", headers.Get("Host")!);
        foreach (var f in headers.Fields)
        {
            if (f.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) || HttpHeaders.IsHopByHop(f.Key, keepUpgrade: false, named)
                || (dropAuthorization && f.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))) continue;
            w.Field(f.Key, f.Value);
        }
        w.Field("Via", via);
        if (HttpRProxyHandler.ForwardedField(ctx.Config.AppendForwardedFor, client) is { } forwarded) w.Field(forwarded.Key, forwarded.Value);
        foreach (var f in conn.ExtraHeaders) w.Field(f.Key, f.Value);
        w.End();
        return w;
    }
}
