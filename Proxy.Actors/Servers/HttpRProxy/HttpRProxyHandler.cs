using System.Globalization;
using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.HttpCommon;

namespace Proxy.Actors.Servers.HttpRProxy;

/// <summary>
/// One request to an http_rproxy: the site is found by the Host the client named, then the
/// request goes, path and Host as the client sent them, to the site's upstream through the
/// shared forward exchange (keep-alive pools per upstream are the escaper's).
/// Statuses as g3 answers them: CONNECT or a non-http absolute URI 501, no Host 400, a Host
/// that contradicts the absolute URI 409, our own Via seen again 508, a host no site
/// matches 400 (and the connection closes; with no_early_error_reply it just closes).
/// </summary>
internal static class HttpRProxyHandler
{
    public static async Task<bool> RunAsync(HttpRProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes)
    {
        var cfg = ctx.Config;
        if (req.IsConnect) return await HttpForwardExchange.RefuseAsync(client, req, notes, 501, "UnimplementedProtocol", close: true);
        var framing = BodyFraming.ForRequest(req.Headers, out var framingStatus, out _);
        if (framing is null) return await HttpForwardExchange.RefuseAsync(client, req, notes, framingStatus, "InvalidClientProtocol", close: true);
        var target = RequestTarget.Parse(req.Method, req.Target);
        if (target is null || target.Form == TargetForm.Authority)
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 400, "InvalidClientProtocol", close: true);
        if (target.Form == TargetForm.Absolute && target.Scheme != "http")
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 501, "UnimplementedProtocol", close: true);
        if (req.Headers.Get("Host") is not { } hostField || RequestTarget.ParseAuthority(hostField, 80) is not { } host)
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 400, "InvalidClientProtocol", close: true);
        if (target.Form == TargetForm.Absolute && !string.Equals(target.Upstream!.Host, host.Host, StringComparison.OrdinalIgnoreCase))
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 409, "InvalidClientProtocol", close: true);
        var pseudonym = cfg.ServerId ?? host.Host;
        if (SeenOurVia(req.Headers, pseudonym))
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 508, "InvalidClientProtocol", close: true);
        if (cfg.Hosts.Get(host.Host) is not { Upstream: { } upstream } site)
        {
            // g3 closes here in any case; no_early_error_reply closes without the 400.
            if (!cfg.NoEarlyErrorReply) return await HttpForwardExchange.RefuseAsync(client, req, notes, 400, "InvalidClientProtocol", close: true);
            notes.Reason = "InvalidClientProtocol";
            notes.Stage = "Preparing";
            return false;
        }
        notes.Upstream = ctx.UpstreamName(site, upstream);

        var requestType = site.TlsClient is null ? ProxyRequestType.HttpForward : ProxyRequestType.HttpsForward;
        if (UserRequestPolicy.Check(client.User, requestType, upstream, req.Headers, out var alive, notes, ctx.Server.Stats) is { } refused)
            return await HttpForwardExchange.RefuseAsync(client, req, notes, refused.Status, refused.Reason, close: true);
        if (alive is not null) client.HoldForRequest(alive);

        // Read before the head is built: building it strips the hop-by-hop Connection field.
        var wantsUpgrade = req.Headers.HasToken("Connection", "upgrade") && req.Headers.Contains("Upgrade");
        var path = target.Form == TargetForm.Absolute ? target.PathAndQuery : req.Target;
        var via = ctx.ViaFor(pseudonym);
        var renewed = false;
        if (!wantsUpgrade && framing.Value.Kind == BodyKind.None && HttpRProxyQuickForward.Fits(req, out var named))
        {
            switch (await HttpRProxyQuickForward.TryAsync(ctx, client, req, notes, site, upstream, path, via, named).ConfigureAwait(false))
            {
                case QuickForward.KeepAlive: return true;
                case QuickForward.Close: return false;
                case QuickForward.Renew:
                    HttpForwardExchange.Renewing(notes);
                    renewed = true;
                    break;
            }
        }
        // The credentials were the gateway's to check (g3 never forwards them); without a
        // user_group the header is the origin's own business and passes through.
        if (ctx.Server.UserGroup is not null) req.Headers.Remove("Authorization");
        req.Headers.Add("Via", via);
        if (ForwardedField(cfg.AppendForwardedFor, client) is { } forwarded) req.Headers.Add(forwarded.Key, forwarded.Value);
        var plan = new ForwardPlan(upstream, site.TlsClient, site.TlsName, wantsUpgrade, conn =>
        {
            req.Headers.RemoveHopByHop(keepUpgrade: wantsUpgrade);
            return HttpForwardExchange.UpstreamHead(req, UpstreamLine(site, upstream, path, conn), req.Headers, conn, wantsUpgrade);
        });
        return await HttpForwardExchange.RunAsync(ctx.Server, cfg, client, req, framing.Value, notes, plan, renewed).ConfigureAwait(false);
    }

    /// <summary>The request target the upstream is sent: the path, or for a next-hop HTTP proxy (proxy_http escaper) the absolute URI.</summary>
    internal static string UpstreamLine(HttpRProxyHostConfig site, UpstreamAddr upstream, string path, HttpUpstream conn) =>
        conn.AbsoluteForm ? (site.TlsClient is null ? "http://" : "https://") + upstream + path : path;

    /// <summary>g3's loop check: a Via entry whose received-by is this server's pseudonym.</summary>
    internal static bool SeenOurVia(HttpHeaders headers, string pseudonym)
    {
        foreach (var (name, value) in headers.Fields)
        {
            if (!name.Equals("Via", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var entry in value.Split(','))
            {
                var parts = entry.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && string.Equals(parts[1], pseudonym, StringComparison.OrdinalIgnoreCase)) return true;
            }
        }
        return false;
    }

    /// <summary>append_forwarded_for: classic X-Forwarded-For with the client IP, or RFC 7239 Forwarded for= and by=; null for none.</summary>
    internal static KeyValuePair<string, string>? ForwardedField(HttpForwardedHeaderType type, ClientConnection client)
    {
        if (client.ClientAddr is not { } from) return null;
        return type switch
        {
            HttpForwardedHeaderType.Classic => new("X-Forwarded-For", from.Address.ToString()),
            HttpForwardedHeaderType.Standard when client.Transport.Facts.ServerAddr is { } by => new("Forwarded", "for=" + Node(from) + "; by=" + Node(by)),
            _ => null,
        };
    }

    /// <summary>An RFC 7239 node: an IPv6 address with its port is quoted.</summary>
    private static string Node(IPEndPoint ep) =>
        ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? "\"" + ep.ToString() + "\""
            : ep.Address + ":" + ep.Port.ToString(CultureInfo.InvariantCulture);
}
