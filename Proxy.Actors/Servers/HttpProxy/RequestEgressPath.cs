using System.Globalization;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// The egress path one request selects for the server's escaper, as g3's http_proxy reads it: a
/// numeric index in <c>egress_path_selection_header</c> (the header is removed) and the next proxy
/// named by the Basic username's <c>username_params</c>. Invalid values get 400 (the caller replies).
/// </summary>
internal static class RequestEgressPath
{
    public static bool TryApply(HttpProxyServerContext ctx, HttpRequestHead req, TaskNotes notes)
    {
        var cfg = ctx.Config;
        var escaper = ctx.Server.Config.Escaper ?? "";
        EgressPathSelection? path = null;
        if (cfg.EgressPathSelectionHeader is { } header && req.Headers.Get(header) is { } raw)
        {
            req.Headers.Remove(header);
            if (!int.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                notes.Error = $"invalid egress path number id '{raw}' in header {header}";
                return false;
            }
            (path ??= new()).SetNumberId(escaper, id);
        }
        if (cfg.UsernameParams is { } up && req.Headers.Get("Proxy-Authorization") is { } auth
            && BasicAuth.TryParse(auth, out var creds) == BasicAuthParse.Ok)
        {
            var parsed = up.ParseEgressUpstream(creds.Username, up.HttpPort);
            if (!parsed.Ok)
            {
                notes.Error = parsed.Error;
                return false;
            }
            if (parsed.Upstream is { } next) (path ??= new()).SetUpstream(escaper, next);
        }
        notes.EgressPath = path;
        return true;
    }
}
