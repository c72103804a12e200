namespace Proxy.Actors.Logging;

/// <summary>
/// A request URI as the logs show it (g3's LtHttpUri): a password in an absolute URI's userinfo
/// shown as <c>xyz</c>, so credentials a client put in the URI never reach a log, then cut to log_uri_max_chars.
/// </summary>
internal static class LoggedUri
{
    public static string Of(string uri, int maxChars)
    {
        var shown = MaskPassword(uri);
        return shown.Length > maxChars ? shown[..maxChars] : shown;
    }

    private static string MaskPassword(string uri)
    {
        // origin form (the common case) and authority form have no userinfo
        if (uri.Length == 0 || uri[0] == '/') return uri;
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return uri;
        var start = schemeEnd + 3;
        var end = uri.AsSpan(start).IndexOfAny('/', '?', '#');
        var authority = end < 0 ? uri.AsSpan(start) : uri.AsSpan(start, end);
        // as g3: the first '@' ends the userinfo, and only a userinfo with a ':' has a password
        var at = authority.IndexOf('@');
        if (at < 0) return uri;
        var colon = authority[..at].IndexOf(':');
        if (colon < 0) return uri;
        return string.Concat(uri.AsSpan(0, start + colon + 1), "xyz", uri.AsSpan(start + at));
    }
}
