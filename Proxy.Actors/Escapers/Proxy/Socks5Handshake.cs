using System.Buffers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Escapers.Proxy;

/// <summary>The outcome of a SOCKS5 request to a next-hop proxy: its reply and the stream to go on with, or why not.</summary>
internal readonly record struct Socks5HandshakeResult(Stream? Stream, UpstreamAddr? Bound, EscapeErrorKind Error, string? Reason)
{
    public bool Ok => Error == EscapeErrorKind.None;
}

/// <summary>
/// The client side of RFC 1928 (and RFC 1929 when the escaper has a username) toward a next-hop
/// proxy, with the project's SOCKS5 client codec: the greeting offers what g3 offers ("no
/// authentication" alone, or username/password then "no authentication"), then the request, then
/// the reply. Failures are g3's: a refused login or request is the peer refusing, its "TTL expired"
/// a timeout, anything malformed a failed connect. Bytes the proxy sent after the reply stay in
/// front of the stream. The caller bounds the whole exchange (peer_negotiation_timeout).
/// </summary>
internal static class Socks5Handshake
{
    private const int MaxMessage = 4 + 1 + 255 + 2;

    public static async Task<Socks5HandshakeResult> RunAsync(
        Stream stream, Socks5Command command, UpstreamAddr target, string? username, string? password, CancellationToken ct)
    {
        var reader = new Reader(stream);
        try
        {
            var w = new ArrayBufferWriter<byte>(64);
            Socks5ClientWriter.WriteGreeting(w, username is null
                ? [Socks5AuthMethod.NoAuth]
                : [Socks5AuthMethod.UsernamePassword, Socks5AuthMethod.NoAuth]);
            await stream.WriteAsync(w.WrittenMemory, ct).ConfigureAwait(false);
            var method = await reader.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ClientParser.ParseMethodSelection(b), ct).ConfigureAwait(false);
            if (!method.IsDone) return Failed(method.Reason, "method selection");
            if (method.Value == Socks5AuthMethod.UsernamePassword && username is not null)
            {
                w.Clear();
                Socks5ClientWriter.WriteCredentials(w, username, password ?? "");
                await stream.WriteAsync(w.WrittenMemory, ct).ConfigureAwait(false);
                var login = await reader.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ClientParser.ParseCredentialsReply(b), ct).ConfigureAwait(false);
                if (!login.IsDone) return Failed(login.Reason, "username/password reply");
                if (!login.Value) return new(null, null, EscapeErrorKind.PeerRefused, "auth failed with next proxy");
            }
            else if (method.Value != Socks5AuthMethod.NoAuth)
            {
                return new(null, null, EscapeErrorKind.PeerRefused, $"next proxy chose no usable auth method (0x{(byte)method.Value:X2})");
            }

            w.Clear();
            Socks5ClientWriter.WriteRequest(w, command, target);
            await stream.WriteAsync(w.WrittenMemory, ct).ConfigureAwait(false);
            var reply = await reader.ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ClientParser.ParseReply(b), ct).ConfigureAwait(false);
            if (!reply.IsDone) return Failed(reply.Reason, "reply");
            var code = reply.Value!.Code;
            if (code != Socks5ReplyCode.Succeeded)
            {
                var kind = code == Socks5ReplyCode.ConnectionTimedOut ? EscapeErrorKind.ConnectTimeout : EscapeErrorKind.PeerRefused;
                return new(null, null, kind, $"next proxy replied {code} (0x{(byte)code:X2}) to {command}");
            }
            var rest = reader.Rest;
            return new(rest.IsEmpty ? stream : new PrefixedStream(rest, stream), reply.Value.Bound, EscapeErrorKind.None, null);
        }
        catch (Exception e) when (e is not OperationCanceledException && IoErrors.IsExpected(e))
        {
            return new(null, null, EscapeErrorKind.ConnectFailed, "socks5 negotiation with next proxy failed: " + e.Message);
        }
    }

    private static Socks5HandshakeResult Failed(string? reason, string what) =>
        new(null, null, EscapeErrorKind.ConnectFailed, $"invalid socks5 {what} from next proxy: {reason ?? "closed"}");

    /// <summary>Reads one message at a time into a small bounded buffer; what follows a message is kept.</summary>
    private sealed class Reader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[MaxMessage];
        private int _start;
        private int _end;

        public ReadOnlyMemory<byte> Rest => _buffer.AsMemory(_start, _end - _start);

        public delegate ParseResult<T> Parser<T>(in ReadOnlySequence<byte> buffer);

        /// <summary>A parsed message; NeedMore when the proxy closed first, Invalid as the parser says.</summary>
        public async Task<ParseResult<T>> ReadAsync<T>(Parser<T> parse, CancellationToken ct)
        {
            while (true)
            {
                var result = parse(new ReadOnlySequence<byte>(_buffer, _start, _end - _start));
                if (result.IsDone) _start += (int)result.Consumed;
                if (result.Status != ParseStatus.NeedMore) return result;
                if (_start > 0)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length) return ParseResult<T>.Invalid("message too long");
                var n = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
                if (n == 0) return ParseResult<T>.NeedMore;
                _end += n;
            }
        }
    }
}
