using System.Buffers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.Socks;

/// <summary>A SOCKS command the negotiation ended with, on the transport to go on with.</summary>
/// <remarks><paramref name="User"/> is the authenticated (or anonymous) user when the server has a user_group.
/// <paramref name="EgressPath"/> is what the username's username_params chose for the server's escaper.</remarks>
internal sealed record SocksCommandRequest(int Version, Socks5Command Command, UpstreamAddr Target, ClientTransport Transport, long ClientBytesRead,
    RequestUser? User = null, Escapers.EgressPathSelection? EgressPath = null);

/// <summary>
/// Everything before the SOCKS command is known, under one negotiation_timeout (g3: a silent close
/// with ClientAppTimeout when it runs out): the version byte, SOCKS4/4a's request, or SOCKS5's
/// greeting, method selection and request. Refusals are answered as the RFCs say (0xFF method,
/// the request's reply code, SOCKS4's 91) and end with a task line. With a user_group, as g3:
/// SOCKS5 picks username/password (RFC 1929) when the client offers it, else "no authentication"
/// as the anonymous user when the group has one for this client; SOCKS4/4a serve only that
/// anonymous user (no reply otherwise).
/// </summary>
internal static class SocksNegotiation
{
    private const int MaxGreeting = 2 + 255;
    private const int MaxSocks4Request = 8 + 2 * (Socks4RequestParser.MaxFieldLength + 1);
    private const int MaxSocks5Request = 4 + 1 + 255 + 2;
    private const int MaxCredentials = 2 + 255 + 1 + 255;

    private sealed class Run(ClientTransport transport, ConnectionScope scope, SocksProxyServerConfig config)
    {
        public SocksProxyServerConfig Config => config;
        /// <summary>Set by the login when username_params name a next proxy.</summary>
        public Escapers.EgressPathSelection? EgressPath;
        private readonly long _deadline = scope.Time.GetTimestamp();
        public ClientTransport Transport = transport;
        public long BytesRead;

        public TimeSpan Left => config.NegotiationTimeout - scope.Time.GetElapsedTime(_deadline);

        /// <summary>One message within what is left of the timeout; the bytes behind it stay in front of the stream.</summary>
        public async Task<(ParseResult<T> Result, string? Failure)> ReadAsync<T>(TransportPeek.Parser<T> parse, int maxBytes)
        {
            var left = Left;
            if (left <= TimeSpan.Zero) return (ParseResult<T>.NeedMore, "ClientAppTimeout");
            var peeked = await TransportPeek.ReadAsync(Transport.Stream, parse, maxBytes, left, scope.Time, scope.Token).ConfigureAwait(false);
            if (peeked.TimedOut) return (peeked.Result, "ClientAppTimeout");
            if (peeked.Closed) return (peeked.Result, "ClosedByClient");
            if (!peeked.Result.IsDone) return (peeked.Result, "InvalidClientProtocol");
            BytesRead += peeked.Result.Consumed;
            Transport = Transport.WithPrefix(peeked.Rest);
            return (peeked.Result, null);
        }
    }

    public static async Task<SocksCommandRequest?> RunAsync(ClientTransport transport, ConnectionScope scope, SocksProxyServerConfig config, IUserGroup? group)
    {
        var run = new Run(transport, scope, config);
        // The first byte picks the protocol; it is read again by the version's own parser.
        var (version, failure) = await run.ReadAsync(static (in ReadOnlySequence<byte> b) =>
            b.IsEmpty ? ParseResult<byte>.NeedMore : ParseResult<byte>.Done(b.FirstSpan[0], 0), 1).ConfigureAwait(false);
        if (failure is not null) return Fail(scope, run, failure, "no SOCKS version byte");
        return version.Value switch
        {
            4 => await V4Async(run, scope, group).ConfigureAwait(false),
            5 => await V5Async(run, scope, group).ConfigureAwait(false),
            _ => Fail(scope, run, "InvalidClientProtocol", $"invalid socks version 0x{version.Value:X2}"),
        };
    }

    private static async Task<SocksCommandRequest?> V4Async(Run run, ConnectionScope scope, IUserGroup? group)
    {
        RequestUser? user = null;
        if (group is not null)
        {
            // SOCKS4 carries no password: only the group's anonymous user may use it (g3 closes silently).
            if (await Anonymous(group, run) is not { } anonymous)
            {
                scope.Server.Stats.ForbidAuthFailed();
                return Fail(scope, run, "ClientAuthFailed", "socks4 does not support auth");
            }
            user = anonymous;
        }
        var (req, failure) = await run.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks4RequestParser.Parse(b), MaxSocks4Request).ConfigureAwait(false);
        if (failure is not null)
        {
            // A malformed request is refused with 91; a timeout or a close gets nothing.
            if (failure == "InvalidClientProtocol") await Reply(run, scope, SocksReplies.V4(Socks4ReplyCode.RejectedOrFailed)).ConfigureAwait(false);
            return Fail(scope, run, failure, "socks4 request: " + (req.Reason ?? failure));
        }
        if (req.Value!.Command != Socks4Command.Connect)
        {
            await Reply(run, scope, SocksReplies.V4(Socks4ReplyCode.RejectedOrFailed)).ConfigureAwait(false);
            return Fail(scope, run, "UnimplementedProtocol", "socks4 BIND is not supported");
        }
        return new SocksCommandRequest(4, Socks5Command.Connect, req.Value.Target, run.Transport, run.BytesRead, user);
    }

    private static async Task<SocksCommandRequest?> V5Async(Run run, ConnectionScope scope, IUserGroup? group)
    {
        var (greeting, failure) = await run.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ServerParser.ParseGreeting(b), MaxGreeting).ConfigureAwait(false);
        if (failure is not null) return Fail(scope, run, failure, "socks5 greeting: " + (greeting.Reason ?? failure));
        // g3's choice: no user group, "no authentication"; else username/password when offered,
        // "no authentication" when the anonymous user may serve this client, else username/password.
        RequestUser? anonymous = null;
        var method = Socks5AuthMethod.NoAuth;
        if (group is not null && !greeting.Value!.Offers(Socks5AuthMethod.UsernamePassword))
            method = (anonymous = await Anonymous(group, run)) is null ? Socks5AuthMethod.UsernamePassword : Socks5AuthMethod.NoAuth;
        else if (group is not null)
            method = Socks5AuthMethod.UsernamePassword;
        if (!greeting.Value!.Offers(method))
        {
            await Reply(run, scope, [Socks5Frame.Version, (byte)Socks5AuthMethod.NoAcceptable]).ConfigureAwait(false);
            scope.Server.Stats.ForbidAuthFailed();
            return Fail(scope, run, "ClientAuthFailed", $"client does not offer method 0x{(byte)method:X2}");
        }
        if (!await Reply(run, scope, [Socks5Frame.Version, (byte)method]).ConfigureAwait(false))
            return Fail(scope, run, "ClientTcpWriteFailed", "method selection not sent");
        var user = anonymous;
        if (method == Socks5AuthMethod.UsernamePassword)
        {
            var (login, loginFailure) = await LoginAsync(run, scope, group!).ConfigureAwait(false);
            if (loginFailure is not null) return Fail(scope, run, loginFailure.Value.Reason, loginFailure.Value.Error, loginFailure.Value.User);
            user = login;
        }

        var (req, reqFailure) = await run.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ServerParser.ParseRequest(b), MaxSocks5Request).ConfigureAwait(false);
        if (reqFailure is not null)
        {
            // RFC 1928 section 6: an unknown command or address type is answered with its code.
            if (reqFailure == "InvalidClientProtocol" && req.Code != 0)
                await Reply(run, scope, SocksReplies.V5((Socks5ReplyCode)req.Code)).ConfigureAwait(false);
            return Fail(scope, run, reqFailure, "socks5 request: " + (req.Reason ?? reqFailure));
        }
        if (req.Value!.Command == Socks5Command.Bind)
        {
            await Reply(run, scope, SocksReplies.V5(Socks5ReplyCode.CommandNotSupported)).ConfigureAwait(false);
            return Fail(scope, run, "UnimplementedProtocol", "socks5 BIND is not supported");
        }
        return new SocksCommandRequest(5, req.Value.Command, req.Value.Target, run.Transport, run.BytesRead, user, run.EgressPath);
    }

    /// <summary>The group's anonymous user when it may serve this client (its ingress filter), else null.</summary>
    private static async ValueTask<RequestUser?> Anonymous(IUserGroup group, Run run)
    {
        if (group.AnonymousUser is null) return null;
        var result = await group.AuthenticateAsync(null, null, run.Transport.Facts.ClientAddr?.Address, CancellationToken.None).ConfigureAwait(false);
        return result.Ok ? new RequestUser(result.User!, FirstOnConnection: true) : null;
    }

    /// <summary>
    /// RFC 1929 against the group with g3's lookup (<see cref="IUserGroup.AuthenticateAsync"/>): status 0
    /// and the user; a failure gets status 1 and the close; a blocked user, after its delay, the SOCKS5
    /// reply "not allowed by ruleset" and the close (as g3).
    /// </summary>
    private static async Task<(RequestUser? User, (string Reason, string Error, string? User)? Failure)> LoginAsync(Run run, ConnectionScope scope, IUserGroup group)
    {
        var (creds, failure) = await run.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ServerParser.ParseCredentials(b), MaxCredentials).ConfigureAwait(false);
        if (failure is not null) return (null, (failure, "socks5 username/password: " + (creds.Reason ?? failure), null));
        var (name, password) = (creds.Value!.Username, creds.Value.Password);
        if (run.Config.UsernameParams is { } up)
        {
            // g3 reads the params before the login; bad ones get "not allowed by ruleset" and the close.
            var parsed = up.ParseEgressUpstream(name, up.Socks5Port);
            if (!parsed.Ok)
            {
                scope.Server.Stats.ForbidDestDenied();
                await Reply(run, scope, SocksReplies.V5(Socks5ReplyCode.NotAllowedByRuleset)).ConfigureAwait(false);
                return (null, ("ForbiddenByRule", $"username params: {parsed.Error}", name));
            }
            if (parsed.Upstream is { } next)
            {
                run.EgressPath = new Escapers.EgressPathSelection();
                run.EgressPath.SetUpstream(run.Config.Escaper ?? "", next);
            }
            name = up.RealUsername(name);
        }
        AuthResult result;
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(scope.Token))
        {
            limit.CancelAfter(run.Left > TimeSpan.Zero ? run.Left : TimeSpan.Zero);
            try
            {
                result = await group.AuthenticateAsync(name, password, run.Transport.Facts.ClientAddr?.Address, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, ("ClientAppTimeout", $"user '{name}': no answer from the user group in time", name));
            }
        }
        if (result.Ok)
        {
            if (!await Reply(run, scope, SocksReplies.Credentials(success: true)).ConfigureAwait(false))
                return (null, ("ClientTcpWriteFailed", "username/password reply not sent", name));
            return (new RequestUser(result.User!, FirstOnConnection: true), null);
        }
        UserAuthCounts.Refused(result, scope.Server.Stats);
        if (result.Status == AuthStatus.Blocked)
        {
            // g3 sleeps inside its negotiation timeout: a delay beyond it ends in a silent close.
            if (result.Delay >= run.Left) return (null, ("ClientAppTimeout", $"user '{name}' is blocked", name));
            try
            {
                await Task.Delay(result.Delay, scope.Time, scope.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, ("Canceled", $"user '{name}' is blocked", name));
            }
            await Reply(run, scope, SocksReplies.V5(Socks5ReplyCode.NotAllowedByRuleset)).ConfigureAwait(false);
            return (null, ("ForbiddenByRule", $"user '{name}' is blocked", name));
        }
        await Reply(run, scope, SocksReplies.Credentials(success: false)).ConfigureAwait(false);
        return (null, ("ClientAuthFailed", $"user '{name}': {result.Status}", name));
    }

    private static async Task<bool> Reply(Run run, ConnectionScope scope, byte[] reply) =>
        await SocksReplies.SendAsync(run.Transport.Stream, reply, new Relay.TaskBytes(), scope.Token).ConfigureAwait(false);

    private static SocksCommandRequest? Fail(ConnectionScope scope, Run run, string reason, string error, string? user = null)
    {
        var notes = scope.NewTask(run.Transport.Facts, "Unknown", scope.AcceptedAt);
        notes.User = user;
        notes.Stage = "Negotiating";
        notes.Reason = reason;
        notes.Error = error;
        notes.Bytes.ClientRead = run.BytesRead;
        scope.FinishTask(notes);
        return null;
    }
}
