using Proxy.Actors.Config.Servers;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>A request an http_proxy answers for itself resolved to what it stands for, or the status refusing it.</summary>
internal readonly record struct LocalTarget(RequestTarget? Target, string? AbsoluteUri, string? HostField, int Status, string? Error);

/// <summary>
/// g3's local requests on http_proxy: without <c>local_server_name</c> every request without an
/// absolute URI is addressed to the proxy itself; with it, a request whose Host names one of them.
/// A local request is served only when it is a well-known URI naming a target (easy-proxy,
/// masque/http): it becomes a forward request to that target with Host set to it. Anything else is
/// 501; a non-local request without an absolute URI is 400 (g3's invalid request target).
/// </summary>
internal static class LocalRequest
{
    public static bool IsLocal(HttpProxyServerConfig cfg, HttpRequestHead req, RequestTarget target)
    {
        if (cfg.LocalServerName.Count == 0) return target.Form != TargetForm.Absolute;
        if (req.Headers.Get("Host") is not { } host || RequestTarget.ParseAuthority(host, 0) is not { } parsed) return false;
        foreach (var name in cfg.LocalServerName)
            if (string.Equals(name.Trim('[', ']'), parsed.Host, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>What a local request asks for: a target to forward to, or 501 with g3's reason.</summary>
    public static LocalTarget Resolve(HttpRequestHead req, RequestTarget target)
    {
        var wk = WellKnownUri.Resolve(target.Form == TargetForm.Absolute ? target.PathAndQuery : req.Target);
        if (wk.Kind == WellKnownKind.None) return new(null, null, null, 501, "unsupported local request uri");
        if (wk.Kind != WellKnownKind.Target) return new(null, null, null, 501, wk.Error);
        var resolved = RequestTarget.Parse(req.Method, wk.AbsoluteTarget!);
        return resolved is null
            ? new(null, null, null, 501, $"invalid well-known uri: {wk.AbsoluteTarget}")
            : new(resolved, wk.AbsoluteTarget, wk.Host!.ToString(), 0, null);
    }
}
