using System.Buffers;
using System.Text.Unicode;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>Where a server reads credentials and how it asks for them: a forward proxy's 407 or an origin's 401.</summary>
internal sealed record LoginScheme(string CredentialsHeader, int ChallengeStatus, string ChallengeHeader)
{
    /// <summary>http_proxy: <c>Proxy-Authorization</c>, 407 with <c>Proxy-Authenticate</c>.</summary>
    public static readonly LoginScheme Proxy = new("Proxy-Authorization", 407, "Proxy-Authenticate");

    /// <summary>http_rproxy: <c>Authorization</c>, 401 with <c>WWW-Authenticate</c>.</summary>
    public static readonly LoginScheme Origin = new("Authorization", 401, "WWW-Authenticate");
}

/// <summary>
/// Basic credentials on one HTTP connection, checked for every request as g3's pipeline writer does:
/// a failed request gets the scheme's challenge with the realm (a blocked user 403 after its delay),
/// and the second failure in a row closes the connection.
/// </summary>
/// <param name="realUsername">http_proxy's username_params: the name auth sees, from the name the client sent.</param>
internal sealed class HttpLogin(LoginScheme scheme, Func<string, string>? realUsername = null)
{
    private int _failuresInRow;
    private readonly SeenUsers _seen = new();
    // The credentials the previous request on this connection was let in with. Clients send the same
    // value every time: the same value in the same group (a reload publishes a new one) needs no decode,
    // lookup or token check again, only the user's expiry and block (UserLookup.Recheck).
    private string? _lastValue;
    private IUserGroup? _lastGroup;
    private User? _lastUser;

    /// <summary>The request's user; null when it was refused (the client got its reply; <paramref name="keepAlive"/> says whether another request may follow).</summary>
    /// <remarks>
    /// Credentials a basic group answers from memory (the steady state of Basic on every request) are
    /// checked without an async state machine; asking the group (LDAP, a first password) and refusing go the async way.
    /// </remarks>
    public ValueTask<(RequestUser? User, bool KeepAlive)> CheckAsync(
        HttpServerConfig config, TimeProvider time, IUserGroup group, ClientConnection client, HttpRequestHead req, TaskNotes notes)
    {
        var value = req.Headers.Get(scheme.CredentialsHeader);
        AuthResult? known = null;
        if (value is not null && _lastUser is { } last && ReferenceEquals(group, _lastGroup) && string.Equals(value, _lastValue, StringComparison.Ordinal))
            known = UserLookup.Recheck(last);
        else if (value is not null && realUsername is null && group is BasicUserGroup basic)
            known = Remembered(basic, value, client.ClientAddr?.Address);
        return known is { Ok: true } ok
            ? ValueTask.FromResult<(RequestUser?, bool)>((Accepted(ok.User!, value, group, notes), true))
            : AuthenticateAsync(config, time, group, client, req, notes, value, known);
    }

    private async ValueTask<(RequestUser? User, bool KeepAlive)> AuthenticateAsync(
        HttpServerConfig config, TimeProvider time, IUserGroup group, ClientConnection client, HttpRequestHead req, TaskNotes notes, string? value, AuthResult? known)
    {
        var result = known ?? await AskAsync(group, client, value).ConfigureAwait(false);
        if (result.Ok) return (Accepted(result.User!, value, group, notes), true);

        (_lastValue, _lastGroup, _lastUser) = (null, null, null);
        _failuresInRow++;
        UserAuthCounts.Refused(result, client.Scope.Server.Stats);
        notes.Reason = "ForbiddenByRule";
        notes.Stage = "Preparing";
        if (result.Status == AuthStatus.Blocked)
        {
            // g3 answers a blocked user after its delay and always closes.
            try
            {
                await Task.Delay(result.Delay, time, client.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, false);
            }
            if (!config.NoEarlyErrorReply)
                await HttpReply.RefuseAsync(client, notes, 403, req.Version, req.Method == "HEAD", close: true).ConfigureAwait(false);
            return (null, false);
        }
        if (config.NoEarlyErrorReply) return (null, false);
        // A body the proxy will not read would be taken for the next request: close instead,
        // unless untrusted_read_speed_limit lets it read away the body of a request without credentials.
        var framing = BodyFraming.ForRequest(req.Headers, out _, out _);
        var hasBody = framing is not { Kind: BodyKind.None };
        var drain = hasBody && framing is not null && config.UntrustedReadSpeedLimit is not null && !req.Headers.Contains(scheme.CredentialsHeader);
        var close = _failuresInRow > 1 || (hasBody && !drain) || !HttpForwardExchange.ClientWantsKeepAlive(req);
        var challenge = new KeyValuePair<string, string>(scheme.ChallengeHeader, BasicAuth.Challenge(config.AuthRealm));
        var sent = await HttpReply.RefuseAsync(client, notes, scheme.ChallengeStatus, req.Version, req.Method == "HEAD", close, [challenge]).ConfigureAwait(false);
        if (!sent || close) return (null, false);
        return (null, !drain || await DrainUntrustedAsync(config, time, client, framing!.Value, notes).ConfigureAwait(false));
    }

    private RequestUser Accepted(User user, string? value, IUserGroup group, TaskNotes notes)
    {
        _failuresInRow = 0;
        // only a basic group answers from its table alone (an LDAP group asks its server each time)
        (_lastValue, _lastGroup, _lastUser) = value is not null && group is BasicUserGroup ? (value, group, user) : (null, null, null);
        notes.User = user.Name;
        notes.UserEgressPath = user.EgressPath;
        return new RequestUser(user, _seen.FirstTime(user));
    }

    private ValueTask<AuthResult> AskAsync(IUserGroup group, ClientConnection client, string? value)
    {
        var (name, password) = value is null ? (null, null) : Credentials(value);
        return group.AuthenticateAsync(name, password, client.ClientAddr?.Address, client.Token);
    }

    /// <summary><see cref="BasicUserGroup.TryRemembered"/> for a Basic value, decoded on the stack.</summary>
    private static AuthResult? Remembered(BasicUserGroup group, string value, System.Net.IPAddress? client)
    {
        Span<byte> raw = stackalloc byte[BasicAuth.MaxDecodedBytes];
        try
        {
            if (BasicAuth.TryDecode(value, raw, out var length, out var colon) != BasicAuthParse.Ok) return null;
            Span<char> name = stackalloc char[BasicAuth.MaxPartBytes];
            if (Utf8.ToUtf16(raw[..colon], name, out _, out var chars, replaceInvalidSequences: false) != OperationStatus.Done) return null;
            return group.TryRemembered(name[..chars], raw[(colon + 1)..length], client);
        }
        finally
        {
            raw.Clear();
        }
    }

    /// <summary>The name auth sees and the password; a value not Basic or garbled counts as empty credentials, as in g3.</summary>
    private (string? Name, string? Password) Credentials(string value) =>
        BasicAuth.TryParse(value, out var creds) == BasicAuthParse.Ok
            ? (realUsername is null ? creds.Username : realUsername(creds.Username), creds.Password)
            : ("", "");

    /// <summary>g3's untrusted task: the refused request's body read at the configured limit and dropped.</summary>
    private static async ValueTask<bool> DrainUntrustedAsync(HttpServerConfig config, TimeProvider time, ClientConnection client, BodyFraming framing, TaskNotes notes)
    {
        var limiter = Relay.SpeedLimiter.North(config.UntrustedReadSpeedLimit!, Config.Values.TcpSockSpeedLimit.Unlimited, time);
        var copy = await BodyForwarder.CopyAsync(framing, client.Reader, Stream.Null, decodeChunked: false, config.BodyLineMaxLength, limiter, client.Activity, client.Token).ConfigureAwait(false);
        notes.Bytes.ClientRead += copy.Read;
        if (copy.Ok) return true;
        client.Scope.CloseAfterError();
        return false;
    }
}
