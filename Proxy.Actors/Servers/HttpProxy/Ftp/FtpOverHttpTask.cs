using Proxy.Actors.Servers.HttpCommon;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.HttpProxy.Ftp;

/// <summary>
/// An ftp:// request on http_proxy (g3's FtpOverHttp task): the user's and server's checks, the
/// method (GET lists or downloads, PUT uploads, DELETE deletes, anything else 501), then a
/// logged-in FTP session whose failures become g3's statuses.
/// </summary>
internal static class FtpOverHttpTask
{
    /// <summary>True when the client connection may carry another request.</summary>
    public static async Task<bool> RunAsync(HttpProxyServerContext ctx, ClientConnection client, HttpRequestHead req, TaskNotes notes, RequestTarget target, string absoluteUri, BodyFraming framing)
    {
        var upstream = target.Upstream!;
        notes.TaskType = "FtpOverHttp";
        notes.Upstream = upstream.ToString();
        notes.Uri = FtpCredentials.MaskPassword(notes.Uri);
        var hasBody = framing.Kind != BodyKind.None;
        var close = !HttpForwardExchange.ClientWantsKeepAlive(req);

        if (UserRequestPolicy.Check(client.User, ProxyRequestType.FtpOverHttp, upstream, null, out var alive, notes, ctx.Server.Stats) is { } refused)
            return await RefuseAsync(client, req, notes, refused.Status, refused.Reason, null, close: true);
        if (alive is not null) client.HoldForRequest(alive);
        if (TargetPolicy.IsForbidden(ctx.Server, upstream, notes))
            return await RefuseAsync(client, req, notes, 403, "ForbiddenByRule", null, close: true);

        var path = FtpRequestPath.Parse(target.PathAndQuery);
        string? badRequest = req.Method switch
        {
            "GET" or "DELETE" when hasBody => $"http body is not allowed in ftp {req.Method.ToLowerInvariant()} request",
            "PUT" when req.Headers.Contains("Range") => "Content-Range is not allowed in PUT request",
            "PUT" when !hasBody => "no body found",
            "DELETE" when path.Kind == FtpPathKind.DefaultDir => "path is required in ftp delete request",
            _ => null,
        };
        if (req.Method is not ("GET" or "PUT" or "DELETE"))
            return await RefuseAsync(client, req, notes, 501, "UnimplementedProtocol", null, close: true);
        if (badRequest is not null)
        {
            notes.Error = badRequest;
            return await RefuseAsync(client, req, notes, 400, "InvalidClientProtocol", null, close: true);
        }

        var (user, password) = FtpCredentials.From(absoluteUri, req.Headers.Get("Authorization"));
        var ct = client.Token;
        notes.Stage = "Connecting";
        var (session, step, escape) = await FtpSession.OpenAsync(ctx.Server, notes, upstream, ctx.Config.FtpClient, ct).ConfigureAwait(false);
        if (session is null)
            return await FailAsync(client, req, notes, step, EscapeErrorStatus.For(escape), upstream.ToString(), user, close: true);
        await using (session.ConfigureAwait(false))
        {
            notes.Stage = "Connected";
            step = await session.LoginAsync(user, password, ct).ConfigureAwait(false);
            if (!step.Succeeded) return await FailAsync(client, req, notes, step, 502, upstream.ToString(), user, close || hasBody);
            notes.Stage = "LoggedIn";
            var run = new FtpTransfers(ctx, client, req, notes, session, close);
            step = req.Method switch
            {
                "GET" => await run.ListOrDownloadAsync(path).ConfigureAwait(false),
                "PUT" => await run.UploadAsync(path, framing).ConfigureAwait(false),
                _ => await run.DeleteAsync(path).ConfigureAwait(false),
            };
            if (run.Replied)
            {
                // the head went out: a failure after it can only end the connection
                if (!step.Succeeded) (notes.Reason, notes.Error) = ("UpstreamAppError", step.Detail);
                else notes.Stage = "Finished";
                return step.Succeeded && !run.MustClose;
            }
            return await FailAsync(client, req, notes, step, 502, upstream.ToString(), user, close || (hasBody && !run.BodyRead));
        }
    }

    /// <summary>g3's replies and task reasons for an FTP failure before any answer was sent.</summary>
    private static Task<bool> FailAsync(ClientConnection client, HttpRequestHead req, TaskNotes notes, FtpStep step, int escapeStatus, string upstream, string? user, bool close)
    {
        notes.Error = step.Detail;
        var status = step.Status(escapeStatus);
        var reason = step.Failure switch
        {
            FtpFailure.ConnectFailed => notes.Reason ?? "UpstreamNotConnected",
            FtpFailure.ConnectTimedOut => "UpstreamAppTimeout",
            FtpFailure.ServiceNotAvailable => "UpstreamAppUnavailable",
            // g3 ends a 404 task as finished: the reply is the answer
            FtpFailure.FileUnavailable => "Finished",
            _ => "UpstreamNotNegotiated",
        };
        KeyValuePair<string, string>? challenge = null;
        if (step.Failure == FtpFailure.NotLoggedIn)
        {
            // the realm as Apache's mod_proxy_ftp writes it, which g3 follows
            var realm = user is null ? $"ftp://{upstream}" : $"ftp://{Uri.EscapeDataString(user)}@{upstream}";
            challenge = new("WWW-Authenticate", BasicAuth.Challenge(realm));
        }
        // connect failures always close, as g3 does
        var mustClose = close || step.Failure is FtpFailure.ConnectFailed or FtpFailure.ConnectTimedOut or FtpFailure.ServiceNotAvailable or FtpFailure.BadGateway;
        return RefuseAsync(client, req, notes, status, reason, challenge, mustClose);
    }

    private static async Task<bool> RefuseAsync(ClientConnection client, HttpRequestHead req, TaskNotes notes, int status, string reason, KeyValuePair<string, string>? extra, bool close)
    {
        notes.Reason = reason;
        var sent = await HttpReply.RefuseAsync(client, notes, status, req.Version, headRequest: false, close, extra is { } field ? [field] : null).ConfigureAwait(false);
        return sent && !close;
    }
}
