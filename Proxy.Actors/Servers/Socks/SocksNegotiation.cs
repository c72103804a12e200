using System.Buffers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.Socks;

/// <summary>A SOCKS command the negotiation ended with, on the transport to go on with.</summary>
internal sealed record SocksCommandRequest(int Version, Socks5Command Command, UpstreamAddr Target, ClientTransport Transport, long ClientBytesRead);

/// <summary>
/// Everything before the SOCKS command is known, under one negotiation_timeout (g3: a silent close
/// with ClientAppTimeout when it runs out): the version byte, SOCKS4/4a's request, or SOCKS5's
/// greeting, method selection and request. Refusals are answered as the RFCs say (0xFF method,
/// the request's reply code, SOCKS4's 91) and end with a task line.
/// </summary>
internal static class SocksNegotiation
{
    private const int MaxGreeting = 2 + 255;
    private const int MaxSocks4Request = 8 + 2 * (Socks4RequestParser.MaxFieldLength + 1);
    private const int MaxSocks5Request = 4 + 1 + 255 + 2;

    private sealed class Run(ClientTransport transport, ConnectionScope scope, SocksProxyServerConfig config)
    {
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

    public static async Task<SocksCommandRequest?> RunAsync(ClientTransport transport, ConnectionScope scope, SocksProxyServerConfig config)
    {
        var run = new Run(transport, scope, config);
        // The first byte picks the protocol; it is read again by the version's own parser.
        var (version, failure) = await run.ReadAsync(static (in ReadOnlySequence<byte> b) =>
            b.IsEmpty ? ParseResult<byte>.NeedMore : ParseResult<byte>.Done(b.FirstSpan[0], 0), 1).ConfigureAwait(false);
        if (failure is not null) return Fail(scope, run, failure, "no SOCKS version byte");
        return version.Value switch
        {
            4 => await V4Async(run, scope).ConfigureAwait(false),
            5 => await V5Async(run, scope).ConfigureAwait(false),
            _ => Fail(scope, run, "InvalidClientProtocol", $"invalid socks version 0x{version.Value:X2}"),
        };
    }

    private static async Task<SocksCommandRequest?> V4Async(Run run, ConnectionScope scope)
    {
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
        return new SocksCommandRequest(4, Socks5Command.Connect, req.Value.Target, run.Transport, run.BytesRead);
    }

    private static async Task<SocksCommandRequest?> V5Async(Run run, ConnectionScope scope)
    {
        var (greeting, failure) = await run.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ServerParser.ParseGreeting(b), MaxGreeting).ConfigureAwait(false);
        if (failure is not null) return Fail(scope, run, failure, "socks5 greeting: " + (greeting.Reason ?? failure));
        // No user group on this server: "no authentication" is the one method offered.
        if (!greeting.Value!.Offers(Socks5AuthMethod.NoAuth))
        {
            await Reply(run, scope, [Socks5Frame.Version, (byte)Socks5AuthMethod.NoAcceptable]).ConfigureAwait(false);
            return Fail(scope, run, "ClientAuthFailed", "client does not offer 'no authentication'");
        }
        if (!await Reply(run, scope, [Socks5Frame.Version, (byte)Socks5AuthMethod.NoAuth]).ConfigureAwait(false))
            return Fail(scope, run, "ClientTcpWriteFailed", "method selection not sent");

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
        return new SocksCommandRequest(5, req.Value.Command, req.Value.Target, run.Transport, run.BytesRead);
    }

    private static async Task<bool> Reply(Run run, ConnectionScope scope, byte[] reply) =>
        await SocksReplies.SendAsync(run.Transport.Stream, reply, new Relay.TaskBytes(), scope.Token).ConfigureAwait(false);

    private static SocksCommandRequest? Fail(ConnectionScope scope, Run run, string reason, string error)
    {
        var notes = scope.NewTask(run.Transport.Facts, "Unknown", scope.AcceptedAt);
        notes.Stage = "Negotiating";
        notes.Reason = reason;
        notes.Error = error;
        notes.Bytes.ClientRead = run.BytesRead;
        scope.FinishTask(notes);
        return null;
    }
}
