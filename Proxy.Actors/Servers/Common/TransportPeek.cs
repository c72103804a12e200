using System.Buffers;
using Proxy.Actors.Protocols;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// Reads the start of a connection until a codec can tell what it is (a PROXY header, a
/// ClientHello, a SOCKS or HTTP greeting), bounded in bytes and time. What was read comes back
/// whole, so the caller can put the bytes behind the message back in front of the stream.
/// </summary>
internal static class TransportPeek
{
    public readonly record struct Peeked<T>(ParseResult<T> Result, ReadOnlyMemory<byte> Bytes, bool TimedOut, bool Closed)
    {
        /// <summary>The bytes after the parsed message.</summary>
        public ReadOnlyMemory<byte> Rest => Bytes[(int)Result.Consumed..];
    }

    public delegate ParseResult<T> Parser<T>(in ReadOnlySequence<byte> buffer);

    public static async Task<Peeked<T>> ReadAsync<T>(
        Stream stream, Parser<T> parse, int maxBytes, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var buffer = new byte[Math.Min(maxBytes, 4096)];
        var filled = 0;
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= maxBytes)
                    return new(ParseResult<T>.TooLarge($"nothing recognisable in the first {maxBytes} bytes"), buffer, false, false);
                Array.Resize(ref buffer, Math.Min(maxBytes, buffer.Length * 2));
            }
            int n;
            try
            {
                n = await stream.ReadAsync(buffer.AsMemory(filled), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new(ParseResult<T>.NeedMore, buffer.AsMemory(0, filled), TimedOut: true, Closed: false);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                return new(ParseResult<T>.NeedMore, buffer.AsMemory(0, filled), false, Closed: true);
            }
            if (n == 0) return new(ParseResult<T>.NeedMore, buffer.AsMemory(0, filled), false, Closed: true);
            filled += n;
            var result = parse(new ReadOnlySequence<byte>(buffer, 0, filled));
            if (result.Status != ParseStatus.NeedMore) return new(result, buffer.AsMemory(0, filled), false, false);
        }
    }
}
