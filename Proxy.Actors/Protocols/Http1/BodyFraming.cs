namespace Proxy.Actors.Protocols.Http1;

public enum BodyKind { None, ContentLength, Chunked, UntilClose }

/// <summary>How a message body is delimited (RFC 9112 section 6).</summary>
public readonly record struct BodyFraming(BodyKind Kind, long Length)
{
    public static readonly BodyFraming Empty = new(BodyKind.None, 0);

    /// <summary>Request framing; null with an error when the request must be refused.</summary>
    public static BodyFraming? ForRequest(HttpHeaders headers, out int errorStatus, out string? error)
    {
        errorStatus = 0;
        error = null;
        var te = headers.Get("Transfer-Encoding");
        if (te is not null)
        {
            // Both present is the classic smuggling vector: refuse rather than guess (RFC 9112 6.3).
            if (headers.Contains("Content-Length"))
                return Fail(400, "both Transfer-Encoding and Content-Length", out errorStatus, out error);
            var codings = string.Join(',', headers.GetAll("Transfer-Encoding")).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (codings.Length == 0 || !codings[^1].Equals("chunked", StringComparison.OrdinalIgnoreCase))
                return Fail(400, "Transfer-Encoding without final chunked", out errorStatus, out error);
            if (codings.Length > 1)
                return Fail(501, "unsupported transfer coding " + codings[0], out errorStatus, out error);
            return new BodyFraming(BodyKind.Chunked, -1);
        }
        var cl = ContentLength(headers, out var bad);
        if (bad) return Fail(400, "invalid Content-Length", out errorStatus, out error);
        return cl is > 0 ? new BodyFraming(BodyKind.ContentLength, cl.Value) : Empty;
    }

    /// <summary>Response framing; null when the response is malformed (502).</summary>
    public static BodyFraming? ForResponse(string requestMethod, HttpResponseHead rsp)
    {
        if (requestMethod == "HEAD" || rsp.Status is < 200 or 204 or 304) return Empty;
        if (requestMethod == "CONNECT" && rsp.Status is >= 200 and < 300) return Empty;
        if (rsp.Headers.Contains("Transfer-Encoding"))
        {
            return rsp.Headers.HasToken("Transfer-Encoding", "chunked")
                ? new BodyFraming(BodyKind.Chunked, -1)
                : new BodyFraming(BodyKind.UntilClose, -1);
        }
        var cl = ContentLength(rsp.Headers, out var bad);
        if (bad) return null;
        return cl is { } n ? (n == 0 ? Empty : new BodyFraming(BodyKind.ContentLength, n)) : new BodyFraming(BodyKind.UntilClose, -1);
    }

    private static long? ContentLength(HttpHeaders headers, out bool bad)
    {
        bad = false;
        long? result = null;
        foreach (var v in headers.GetAll("Content-Length"))
        {
            foreach (var part in v.Split(','))
            {
                if (!long.TryParse(part.Trim(), System.Globalization.NumberStyles.None, null, out var n))
                {
                    bad = true;
                    return null;
                }
                // Repeated identical values are tolerated (RFC 9110 8.6); differing ones are not.
                if (result is { } prev && prev != n)
                {
                    bad = true;
                    return null;
                }
                result = n;
            }
        }
        return result;
    }

    private static BodyFraming? Fail(int status, string message, out int errorStatus, out string? error)
    {
        errorStatus = status;
        error = message;
        return null;
    }
}
