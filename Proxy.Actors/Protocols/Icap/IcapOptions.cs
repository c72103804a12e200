using System.Globalization;

namespace Proxy.Actors.Protocols.Icap;

/// <summary>
/// What an OPTIONS answer tells (RFC 3507 section 4.10), read as g3 reads it: the service must
/// list the method in <c>Methods</c> and send an <c>ISTag</c>; <c>Preview</c>, <c>Allow: 204</c>,
/// <c>Options-TTL</c> and <c>Max-Connections</c> are kept.
/// </summary>
public sealed record IcapOptions(string ServiceTag, int? PreviewSize, bool Support204, TimeSpan? Ttl, int? MaxConnections, string? Service)
{
    public static IcapOptions? FromHead(IcapResponseHead head, string method, out string? error)
    {
        error = null;
        if (head.Status is < 200 or >= 300) return Fail($"OPTIONS answered {head.Status} {head.Reason}", out error);
        var methods = head.Headers.Get("Methods");
        if (methods is not null && !methods.Split(',', StringSplitOptions.TrimEntries).Contains(method, StringComparer.OrdinalIgnoreCase))
            return Fail($"the service does not offer {method} (Methods: {methods})", out error);
        var tag = head.Headers.Get("ISTag");
        if (string.IsNullOrEmpty(tag)) return Fail("OPTIONS answer without ISTag", out error);
        int? preview = null, maxConn = null;
        TimeSpan? ttl = null;
        if (head.Headers.Get("Preview") is { } p)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return Fail("invalid Preview value", out error);
            preview = n;
        }
        if (head.Headers.Get("Options-TTL") is { } t)
        {
            if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var s)) return Fail("invalid Options-TTL value", out error);
            ttl = TimeSpan.FromSeconds(s);
        }
        if (head.Headers.Get("Max-Connections") is { } m)
        {
            if (!int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return Fail("invalid Max-Connections value", out error);
            maxConn = n;
        }
        var allow204 = head.Headers.GetAll("Allow").SelectMany(a => a.Split(',', StringSplitOptions.TrimEntries)).Contains("204");
        return new IcapOptions(tag, preview, allow204, ttl, maxConn, head.Headers.Get("Service"));
    }

    private static IcapOptions? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
