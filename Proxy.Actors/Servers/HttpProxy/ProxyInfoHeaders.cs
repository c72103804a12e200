using System.Text;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// The fields g3's http_proxy adds about itself and its upstream connection. With
/// <c>server_id</c>: <c>X-BD-Remote-Connection-Info: &lt;id&gt;[; bind=ip][; local=addr][; remote=addr]</c>
/// (bind ip, local and peer address of the upstream connection) and, with
/// <c>http_forward_mark_upstream</c>, <c>X-BD-Upstream-Id: &lt;id&gt;</c> on forwarded responses.
/// With <c>echo_chained_info</c>: <c>X-BD-Upstream-Addr</c> and <c>X-BD-Outgoing-IP</c> from the
/// escaper's chained info. The echo and upstream-id fields are only added when the response lacks
/// them (a next g3 hop's own win); the connection info is always appended.
/// </summary>
internal static class ProxyInfoHeaders
{
    public const string UpstreamId = "X-BD-Upstream-Id";
    public const string RemoteConnectionInfo = "X-BD-Remote-Connection-Info";
    public const string UpstreamAddr = "X-BD-Upstream-Addr";
    public const string OutgoingIp = "X-BD-Outgoing-IP";

    public static bool Any(HttpProxyServerConfig cfg) => cfg.ServerId is not null || cfg.EchoChainedInfo;

    /// <summary>A response the origin (or next proxy) sent, before it goes to the client.</summary>
    public static void AddToForwarded(HttpProxyServerConfig cfg, TaskNotes notes, EscapeResult facts, HttpHeaders headers)
    {
        foreach (var (name, value) in Fields(cfg, notes, facts, forwarded: true))
            if (name == RemoteConnectionInfo || !headers.Contains(name)) headers.Add(name, value);
    }

    /// <summary>The proxy's own replies about an upstream connection (the CONNECT 200).</summary>
    public static IEnumerable<KeyValuePair<string, string>> ForLocalReply(HttpProxyServerConfig cfg, TaskNotes notes, EscapeResult? facts) =>
        Fields(cfg, notes, facts, forwarded: false);

    private static IEnumerable<KeyValuePair<string, string>> Fields(HttpProxyServerConfig cfg, TaskNotes notes, EscapeResult? facts, bool forwarded)
    {
        if (cfg.ServerId is { } id)
        {
            if (forwarded && cfg.HttpForwardMarkUpstream) yield return new(UpstreamId, id);
            yield return new(RemoteConnectionInfo, ConnectionInfo(id, notes));
        }
        if (cfg.EchoChainedInfo && facts is not null)
        {
            if (facts.ChainedTargetAddr is { } target) yield return new(UpstreamAddr, target.ToString());
            if (facts.ChainedOutgoingAddr is { } outgoing) yield return new(OutgoingIp, outgoing.Address.ToString());
        }
    }

    private static string ConnectionInfo(string id, TaskNotes notes)
    {
        var b = new StringBuilder(id);
        if (notes.NextBindIp is { } bind) b.Append("; bind=").Append(bind);
        if (notes.NextBoundAddr is { } local) b.Append("; local=").Append(local);
        if (notes.NextPeerAddr is { } remote) b.Append("; remote=").Append(remote);
        return b.ToString();
    }
}
