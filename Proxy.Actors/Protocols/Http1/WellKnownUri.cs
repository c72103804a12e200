using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Http1;

/// <summary>What a local request's path says: not a well-known URI, a proxied target, or a refusal (501 in g3).</summary>
public enum WellKnownKind { None, Target, Unsupported }

/// <summary>
/// The target a well-known URI stands for: <see cref="AbsoluteTarget"/> is the request-target to forward
/// (absolute form) and <see cref="Host"/> the Host header g3 sets for it.
/// </summary>
public readonly record struct WellKnownResult(WellKnownKind Kind, string? AbsoluteTarget = null, UpstreamAddr? Host = null, string? Error = null);

/// <summary>
/// g3's well-known URIs for requests sent to the proxy itself (lib/g3-http uri/well_known):
/// <c>/.well-known/easy-proxy/{http|https|ftp}/{host}/{port}/{path...}</c> and
/// <c>/.well-known/masque/http/{percent-encoded absolute URI}/</c>. Pure: no I/O.
/// </summary>
public static class WellKnownUri
{
    public static WellKnownResult Resolve(string pathAndQuery)
    {
        var offset = 0;
        if (Next(pathAndQuery, ref offset) != ".well-known") return new(WellKnownKind.None);
        return Next(pathAndQuery, ref offset) switch
        {
            null => new(WellKnownKind.None),
            "easy-proxy" => EasyProxy(pathAndQuery, ref offset),
            "masque" => Masque(pathAndQuery, ref offset),
            var other => Unsupported($"unsupported well-known uri suffix: {other}"),
        };
    }

    private static WellKnownResult EasyProxy(string pq, ref int offset)
    {
        var scheme = Next(pq, ref offset);
        if (scheme is null) return Unsupported("invalid well-known uri: no scheme");
        if (scheme is not ("http" or "https" or "ftp")) return Unsupported($"invalid well-known uri: scheme '{scheme}'");
        var host = Next(pq, ref offset);
        if (host is null) return Unsupported("invalid well-known uri: no target_host");
        var port = Next(pq, ref offset);
        if (port is null) return Unsupported("invalid well-known uri: no target_port");
        if (!int.TryParse(port, System.Globalization.NumberStyles.None, null, out var p) || p > 65535)
            return Unsupported($"invalid well-known uri: target_port '{port}'");
        var addr = RequestTarget.ParseAuthority(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host, 0);
        if (addr is null) return Unsupported($"invalid well-known uri: target_host '{host}'");
        addr = addr with { Port = p };
        // The rest, from the '/' that ended the port, is the path and query.
        var rest = offset <= pq.Length ? pq[(offset - 1)..] : "/";
        if (rest.StartsWith('?')) rest = "/" + rest;
        else if (!rest.StartsWith('/')) rest = "/";
        return new(WellKnownKind.Target, $"{scheme}://{addr}{rest}", addr);
    }

    private static WellKnownResult Masque(string pq, ref int offset)
    {
        var segment = Next(pq, ref offset);
        if (segment is null) return Unsupported("invalid well-known uri: no masque segment");
        if (segment is "udp" or "ip") return Unsupported("unsupported well-known uri suffix: masque");
        if (segment != "http") return Unsupported($"unsupported well-known uri suffix: masque/{segment}");
        var encoded = Next(pq, ref offset);
        if (encoded is null) return Unsupported("invalid well-known uri: no target_uri");
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(encoded);
        }
        catch (UriFormatException)
        {
            return Unsupported("invalid well-known uri: target_uri");
        }
        var target = RequestTarget.Parse("GET", decoded);
        if (target is not { Form: TargetForm.Absolute, Upstream: { } up } || target.Scheme is not ("http" or "https" or "ftp"))
            return Unsupported("invalid well-known uri: target_uri");
        return new(WellKnownKind.Target, decoded, up);
    }

    /// <summary>The next '/'-separated segment (empty ones skipped), advancing past its '/'; null at the end.</summary>
    private static string? Next(string pq, ref int offset)
    {
        var end = pq.IndexOf('?', StringComparison.Ordinal);
        if (end < 0) end = pq.Length;
        while (offset < end && pq[offset] == '/') offset++;
        if (offset >= end) return null;
        var slash = pq.IndexOf('/', offset, end - offset);
        var stop = slash < 0 ? end : slash;
        var segment = pq[offset..stop];
        offset = stop + 1;
        return segment;
    }

    private static WellKnownResult Unsupported(string why) => new(WellKnownKind.Unsupported, Error: why);
}
