using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// <c>Proxy-Authorization: Basic</c> on one http_proxy connection, checked for every request as g3's
/// pipeline writer does: a failed request gets 407 with the realm's challenge (a blocked user 403 after
/// its delay), and the second failure in a row closes the connection.
/// </summary>
internal sealed class ProxyLogin
{
    private int _failuresInRow;
    private HashSet<string>? _seen;

    /// <summary>The request's user; null when it was refused (the client got its reply; <paramref name="keepAlive"/> says whether another request may follow).</summary>
    public async ValueTask<(RequestUser? User, bool KeepAlive)> CheckAsync(
        HttpProxyServerContext ctx, IUserGroup group, ClientConnection client, HttpRequestHead req, TaskNotes notes)
    {
        string? name = null, password = null;
        if (req.Headers.Get("Proxy-Authorization") is { } value)
        {
            if (BasicAuth.TryParse(value, out var creds) == BasicAuthParse.Ok)
            {
                name = ctx.Config.UsernameParams is { } up ? up.RealUsername(creds.Username) : creds.Username;
                password = creds.Password;
            }
            else
            {
                // Not Basic or garbled: g3 treats the request as carrying no usable credentials.
                name = "";
                password = "";
            }
        }
        var result = await group.AuthenticateAsync(name, password, client.ClientAddr?.Address, client.Token).ConfigureAwait(false);
        if (result.Ok)
        {
            _failuresInRow = 0;
            var user = result.User!;
            notes.User = user.Name;
            return (new RequestUser(user, (_seen ??= new(StringComparer.Ordinal)).Add(user.Name)), true);
        }

        _failuresInRow++;
        notes.Reason = "ForbiddenByRule";
        notes.Stage = "Preparing";
        if (result.Status == AuthStatus.Blocked)
        {
            // g3 answers a blocked user after its delay and always closes.
            try
            {
                await Task.Delay(result.Delay, ctx.Time, client.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, false);
            }
            if (!ctx.Config.NoEarlyErrorReply)
                await HttpReply.RefuseAsync(client, notes, 403, req.Version, req.Method == "HEAD", close: true).ConfigureAwait(false);
            return (null, false);
        }
        if (ctx.Config.NoEarlyErrorReply) return (null, false);
        // A body the proxy will not read would be taken for the next request: close instead.
        var hasBody = BodyFraming.ForRequest(req.Headers, out _, out _) is not { Kind: BodyKind.None };
        var close = _failuresInRow > 1 || hasBody || !HttpForwardHandler.ClientWantsKeepAlive(req);
        var challenge = new KeyValuePair<string, string>("Proxy-Authenticate", BasicAuth.Challenge(ctx.Config.AuthRealm));
        var sent = await HttpReply.RefuseAsync(client, notes, 407, req.Version, req.Method == "HEAD", close, challenge).ConfigureAwait(false);
        return (null, sent && !close);
    }
}
