using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.HttpCommon;

namespace Proxy.Actors.Servers.HttpRProxy;

internal enum QuickForward { NotTaken, Renew, KeepAlive, Close }

/// <summary>
/// The common reverse-proxy request in one frame: no body, no upgrade, an idle pooled upstream.
/// The head goes out written straight from the parsed fields with the hop-by-hop ones skipped
/// (the parsed set is not changed, no plan or closure is made), and the shared exchange sends it
/// and relays the response. Anything else, or no idle connection, is left to
/// <see cref="HttpForwardExchange"/> before a byte was sent; a pooled connection found dead asks
/// the caller to go there on a fresh one.
/// </summary>
internal static class HttpRProxyQuickForward
{
    /// <summary>
    /// The request's Connection fields name nothing but close / keep-alive: then Host, Via and the
    /// Forwarded field cannot be among the fields they drop, and the head is written in one pass.
    /// </summary>
    /// <param name="named">What the Connection fields name (for the head's hop-by-hop skip), null when nothing.</param>
    public static bool Fits(HttpRequestHead req, out List<string>? named)
    {
        named = req.Headers.ConnectionNamed(keepUpgrade: false);
        if (named is null) return true;
        foreach (var n in named)
            if (!n.Equals("close", StringComparison.OrdinalIgnoreCase) && !n.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }

    public static async ValueTask<QuickForward> TryAsync(HttpRProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes,
        HttpRProxyHostConfig site, UpstreamAddr upstream, string path, string via, List<string>? named)
    {
        var server = ctx.Server;
        var cfg = ctx.Config;
        var request = HttpForwardExchange.NewEscapeRequest(server, cfg, client, notes, upstream, site.TlsClient, site.TlsName, hasBody: false, fresh: false);
        if (ServerEscape.TryTakePooled(server, request) is not { Http: { } pooled }) return QuickForward.NotTaken;
        notes.Stage = "Connecting";
        var conn = HttpForwardExchange.Held(server, notes, pooled);
        // The exchange itself is the shared one (it releases the connection); only the head differs.
        using var head = UpstreamHead(ctx, client, req, HttpRProxyHandler.UpstreamLine(site, upstream, path, conn), via, named, conn);
        var end = await HttpForwardExchange.ExchangeAsync(server, cfg, client, req, BodyFraming.Empty, head, conn, notes,
            wantsUpgrade: false, HttpForwardExchange.ClientWantsKeepAlive(req), decorate: null, failFields: null, client.Token).ConfigureAwait(false);
        return end switch
        {
            HttpForwardExchange.Exchange.KeepAlive => QuickForward.KeepAlive,
            HttpForwardExchange.Exchange.RetryFresh => QuickForward.Renew,
            _ => QuickForward.Close,
        };
    }

    /// <summary>
    /// The head <see cref="HttpForwardExchange.UpstreamHead"/> writes for this request after the slow
    /// path's edits (Authorization cut under a user_group, Via and the Forwarded field added,
    /// hop-by-hop fields dropped), field for field, without making those edits.
    /// </summary>
    private static HeadWriter UpstreamHead(HttpRProxyServerContext ctx, ClientConnection client, HttpRequestHead req, string line, string via,
        List<string>? named, HttpUpstream conn)
    {
        var headers = req.Headers;
        var dropAuthorization = ctx.Server.UserGroup is not null;
        var w = HttpForwardExchange.StartUpstreamHead(req, line, headers);
        foreach (var f in headers.Fields)
        {
            if (f.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) || HttpHeaders.IsHopByHop(f.Key, keepUpgrade: false, named)
                || (dropAuthorization && f.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))) continue;
            w.Field(f.Key, f.Value);
        }
        w.Field("Via", via);
        if (HttpRProxyHandler.ForwardedField(ctx.Config.AppendForwardedFor, client) is { } forwarded) w.Field(forwarded.Key, forwarded.Value);
        return HttpForwardExchange.EndUpstreamHead(w, conn, upgrade: false);
    }
}
