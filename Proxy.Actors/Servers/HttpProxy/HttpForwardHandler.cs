using Proxy.Actors.Config.Acl;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.HttpCommon;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// One forward request: an absolute URI (http://, https:// in plain text to the proxy, ftp://) or a
/// local request standing for one (a well-known URI, <see cref="LocalRequest"/>); checks it, then
/// hands it to the shared forward exchange with the origin it names.
/// </summary>
internal static class HttpForwardHandler
{
    public static async Task<bool> RunAsync(HttpProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes)
    {
        var cfg = ctx.Config;
        var target = RequestTarget.Parse(req.Method, req.Target);
        var framing = BodyFraming.ForRequest(req.Headers, out var framingStatus, out var framingError);

        if (framing is null) return await HttpForwardExchange.RefuseAsync(client, req, notes, framingStatus, "InvalidClientProtocol", close: true);
        if (target is null) return await HttpForwardExchange.RefuseAsync(client, req, notes, 400, "InvalidClientProtocol", close: true);
        var absoluteUri = req.Target;
        if (LocalRequest.IsLocal(cfg, req, target))
        {
            var local = LocalRequest.Resolve(req, target);
            if (local.Target is null)
            {
                notes.Error = local.Error;
                return await HttpForwardExchange.RefuseAsync(client, req, notes, local.Status, "UnimplementedProtocol", close: true);
            }
            target = local.Target;
            absoluteUri = local.AbsoluteUri!;
            req.Headers.Set("Host", local.HostField!);
            // g3 logs the URI the request stands for.
            notes.Uri = LoggedUri.Of(absoluteUri, cfg.LogUriMaxChars);
        }
        else if (target.Form != TargetForm.Absolute)
        {
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 400, "InvalidClientProtocol", close: true);
        }
        if (target.Scheme == "ftp")
            return await Ftp.FtpOverHttpTask.RunAsync(ctx, client, req, notes, target, absoluteUri, framing.Value).ConfigureAwait(false);
        // Other schemes are not built.
        if (target.Scheme is not ("http" or "https"))
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 501, "UnimplementedProtocol", close: true);
        notes.Upstream = target.Upstream!.ToString();
        if (!cfg.AllowCustomHost && req.Headers.Get("Host") is { } host && !HostMatches(host, target))
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 409, "InvalidClientProtocol", close: true);
        var requestType = target.Scheme == "https" ? ProxyRequestType.HttpsForward : ProxyRequestType.HttpForward;
        if (UserRequestPolicy.Check(client.User, requestType, target.Upstream, req.Headers, out var alive, notes, ctx.Server.Stats) is { } refused)
            return await HttpForwardExchange.RefuseAsync(client, req, notes, refused.Status, refused.Reason, close: true);
        if (alive is not null) client.HoldForRequest(alive);
        if (TargetPolicy.IsForbidden(ctx.Server, target.Upstream, notes))
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 403, "ForbiddenByRule", close: true);

        // Read before the head is built: building it strips the hop-by-hop Connection field.
        var wantsUpgrade = req.Headers.HasToken("Connection", "upgrade") && req.Headers.Contains("Upgrade");
        // an explicit site's tls_client replaces the server's for https:// forwards to it (g3); https:// needs one
        var tls = target.Scheme == "https" ? notes.UserSite?.Config.TlsClient ?? cfg.TlsClient : null;
        if (target.Scheme == "https" && tls is null)
            return await HttpForwardExchange.RefuseAsync(client, req, notes, 501, "UnimplementedProtocol", close: true);
        var plan = new ForwardPlan(target.Upstream, tls, null, wantsUpgrade,
            conn => BuildUpstreamHead(req, target, absoluteUri, conn, wantsUpgrade, cfg.StealForwardedFor, cfg.DropDefaultPortInHost))
        {
            DecorateResponse = ProxyInfoHeaders.Any(cfg) ? (headers, conn) => ProxyInfoHeaders.AddToForwarded(cfg, notes, conn.Facts, headers) : null,
            LocalReplyFields = ProxyInfoHeaders.Any(cfg) ? facts => ProxyInfoHeaders.ForLocalReply(cfg, notes, facts) : null,
            Icap = ForwardIcap.For(ctx.Server, client, cfg.RspHeaderRecvTimeout),
        };
        return await HttpForwardExchange.RunAsync(ctx.Server, cfg, client, req, framing.Value, notes, plan).ConfigureAwait(false);
    }

    /// <summary>allow_custom_host: false — a Host without a port means the scheme's default port.</summary>
    internal static bool HostMatches(string host, RequestTarget target)
    {
        var parsed = RequestTarget.ParseAuthority(host, target.Scheme == "https" ? 443 : 80);
        return parsed is not null && target.Upstream is { } upstream && parsed.Host == upstream.Host && parsed.Port == upstream.Port;
    }

    /// <summary>
    /// The request as the upstream sees it: origin-form target (absolute-form to a next-hop proxy),
    /// hop-by-hop fields gone, Host set, the escaper's own fields added.
    /// </summary>
    private static HeadWriter BuildUpstreamHead(HttpRequestHead req, RequestTarget target, string absoluteUri, HttpUpstream conn, bool upgrade, bool stealForwardedFor, bool dropDefaultPort)
    {
        var headers = req.Headers;
        headers.RemoveHopByHop(keepUpgrade: upgrade);
        if (stealForwardedFor)
        {
            headers.Remove("Forwarded");
            headers.Remove("X-Forwarded-For");
        }
        var defaultPort = target.Scheme == "https" ? 443 : 80;
        if (!headers.Contains("Host"))
        {
            headers.Add("Host", target.Upstream!.Port == defaultPort ? HostOnly(target) : target.Authority);
        }
        else if (dropDefaultPort)
        {
            var h = headers.Get("Host")!;
            var suffix = ":" + defaultPort;
            if (h.EndsWith(suffix, StringComparison.Ordinal)) headers.Set("Host", h[..^suffix.Length]);
        }
        return HttpForwardExchange.UpstreamHead(req, conn.AbsoluteForm ? absoluteUri : target.PathAndQuery, headers, conn, upgrade);
    }

    private static string HostOnly(RequestTarget target) =>
        target.Upstream!.Host.Contains(':') ? $"[{target.Upstream.Host}]" : target.Upstream.Host;
}
