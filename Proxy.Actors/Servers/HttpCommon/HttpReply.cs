using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>The proxy's own responses: error pages (as g3 renders them) and the CONNECT 200.</summary>
internal static class HttpReply
{
    public static string Reason(int status) => status switch
    {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        508 => "Loop Detected",
        521 => "Web Server Is Down",
        522 => "Connection Timed Out",
        523 => "Origin Is Unreachable",
        525 => "SSL Handshake Failed",
        530 => "Origin DNS Error",
        _ => "Unknown",
    };

    /// <summary>
    /// An error page. A reply to HEAD keeps Content-Length but sends no body (RFC 9110 9.3.2):
    /// on a keep-alive connection the client would read the page as the next response.
    /// </summary>
    public static HeadWriter Error(int status, int version, bool close, bool headRequest = false, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var reason = Reason(status);
        var body = $"<html>\n<head><title>{status} {reason}</title></head>\n<body>\n<h1>{status} {reason}</h1>\n</body>\n</html>\n";
        var w = new HeadWriter(512);
        w.Append(version == 10 ? "HTTP/1.0 "u8 : "HTTP/1.1 "u8).Append(status).Append(" ").Append(reason).Append("\r\n"u8)
            .Field("Content-Type", "text/html")
            .Field("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Field("Connection", close ? "close" : "keep-alive");
        if (extra is not null)
            foreach (var field in extra) w.Field(field.Key, field.Value);
        w.End();
        if (!headRequest) w.Append(body);
        return w;
    }

    /// <summary>
    /// Answers a client with one of the proxy's own error pages and records it in the task's
    /// notes; a closing reply marks the connection for the staged close. Every handler's
    /// refusal goes through here.
    /// </summary>
    public static ValueTask<bool> RefuseAsync(ClientConnection client, Logging.TaskNotes notes, int status, int version, bool headRequest, bool close, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        notes.RspStatus = status;
        if (close) client.Scope.CloseAfterError();
        return SendErrorAsync(client.Stream, status, version, close, client.Token, headRequest, extra);
    }

    public static async ValueTask<bool> SendErrorAsync(Stream client, int status, int version, bool close, CancellationToken ct, bool headRequest = false, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        using var w = Error(status, version, close, headRequest, extra);
        try
        {
            await client.WriteAsync(w.Written, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (Relay.IoErrors.IsExpected(e))
        {
            return false;
        }
    }
}
