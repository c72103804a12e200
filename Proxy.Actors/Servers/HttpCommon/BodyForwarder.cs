using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Proxy.Actors.Relay;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpCommon;

public enum BodyCopyStatus { Done, SourceClosedEarly, SourceFailed, DestinationFailed, Invalid }

public readonly record struct BodyCopyResult(BodyCopyStatus Status, long Read, long Written)
{
    public bool Ok => Status == BodyCopyStatus.Done;
}

/// <summary>
/// Moves one message body from a parsed connection (PipeReader) to the other side, framed as
/// the head said. Chunked bodies pass through unchanged while a small state machine finds
/// their end (or are decoded for HTTP/1.0 clients); buffered bytes leave in large writes.
/// </summary>
internal static class BodyForwarder
{
    /// <param name="limiter">The socket speed limit of this direction (tcp_sock_speed_limit), or null.</param>
    /// <param name="activity">Told of every chunk, so a long transfer is never taken for an idle task.</param>
    public static ValueTask<BodyCopyResult> CopyAsync(
        BodyFraming framing, PipeReader source, Stream destination, bool decodeChunked, int maxLineLength,
        SpeedLimiter? limiter, ActivityTracker? activity, CancellationToken ct)
    {
        var sink = new Sink(destination, limiter, activity);
        return framing.Kind switch
        {
            BodyKind.None => ValueTask.FromResult(new BodyCopyResult(BodyCopyStatus.Done, 0, 0)),
            BodyKind.ContentLength => CopyFixedAsync(source, sink, framing.Length, ct),
            BodyKind.Chunked => CopyChunkedAsync(source, sink, decodeChunked, maxLineLength, ct),
            _ => CopyUntilCloseAsync(source, sink, ct),
        };
    }

    /// <summary>Where body bytes go: the stream, paced by the speed limit, noted as activity.</summary>
    internal readonly record struct Sink(Stream Stream, SpeedLimiter? Limiter, ActivityTracker? Activity);

    internal static async ValueTask<BodyCopyResult> CopyFixedAsync(PipeReader source, Sink destination, long length, CancellationToken ct)
    {
        long moved = 0;
        while (moved < length)
        {
            ReadResult r;
            try { r = await source.ReadAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (IoErrors.IsExpected(e)) { return new(BodyCopyStatus.SourceFailed, moved, moved); }
            var buf = r.Buffer;
            if (buf.IsEmpty && r.IsCompleted)
            {
                source.AdvanceTo(buf.End);
                return new(BodyCopyStatus.SourceClosedEarly, moved, moved);
            }
            var take = buf.Slice(0, Math.Min(buf.Length, length - moved));
            if (!await WriteAsync(destination, take, ct).ConfigureAwait(false))
            {
                source.AdvanceTo(take.End);
                return new(BodyCopyStatus.DestinationFailed, moved + take.Length, moved);
            }
            moved += take.Length;
            source.AdvanceTo(take.End);
        }
        return new(BodyCopyStatus.Done, moved, moved);
    }

    internal static async ValueTask<BodyCopyResult> CopyUntilCloseAsync(PipeReader source, Sink destination, CancellationToken ct)
    {
        long moved = 0;
        while (true)
        {
            ReadResult r;
            try { r = await source.ReadAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (IoErrors.IsExpected(e)) { return new(BodyCopyStatus.SourceFailed, moved, moved); }
            var buf = r.Buffer;
            if (!buf.IsEmpty && !await WriteAsync(destination, buf, ct).ConfigureAwait(false))
            {
                source.AdvanceTo(buf.End);
                return new(BodyCopyStatus.DestinationFailed, moved + buf.Length, moved);
            }
            moved += buf.Length;
            source.AdvanceTo(buf.End);
            if (r.IsCompleted) return new(BodyCopyStatus.Done, moved, moved);
        }
    }

    internal static async ValueTask<BodyCopyResult> CopyChunkedAsync(
        PipeReader source, Sink destination, bool decode, int maxLineLength, CancellationToken ct)
    {
        var scanner = new ChunkedScanner(maxLineLength);
        var dataSlices = decode ? new List<ReadOnlySequence<byte>>() : null;
        long read = 0, written = 0;
        while (true)
        {
            ReadResult r;
            try { r = await source.ReadAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (IoErrors.IsExpected(e)) { return new(BodyCopyStatus.SourceFailed, read, written); }
            var buf = r.Buffer;
            dataSlices?.Clear();
            var scan = scanner.Scan(buf, dataSlices, out var end);
            var consumed = buf.Slice(0, end);
            read += consumed.Length;
            var ok = true;
            if (dataSlices is not null)
            {
                foreach (var slice in dataSlices)
                {
                    if (!await WriteAsync(destination, slice, ct).ConfigureAwait(false)) { ok = false; break; }
                    written += slice.Length;
                }
            }
            else if (!consumed.IsEmpty)
            {
                ok = await WriteAsync(destination, consumed, ct).ConfigureAwait(false);
                if (ok) written += consumed.Length;
            }
            source.AdvanceTo(end, buf.End);
            if (scan == ChunkScan.Invalid) return new(BodyCopyStatus.Invalid, read, written);
            if (!ok) return new(BodyCopyStatus.DestinationFailed, read, written);
            if (scan == ChunkScan.Done) return new(BodyCopyStatus.Done, read, written);
            if (r.IsCompleted) return new(BodyCopyStatus.SourceClosedEarly, read, written);
        }
    }

    internal static ValueTask<bool> WriteAsync(Stream destination, ReadOnlySequence<byte> data, CancellationToken ct) =>
        WriteAsync(new Sink(destination, null, null), data, ct);

    private static async ValueTask<bool> WriteAsync(Sink sink, ReadOnlySequence<byte> data, CancellationToken ct)
    {
        var destination = sink.Stream;
        sink.Activity?.Touch();
        try
        {
            if (sink.Limiter is not null) await sink.Limiter.ThrottleAsync(data.Length, ct).ConfigureAwait(false);
            if (data.IsSingleSegment)
            {
                await destination.WriteAsync(data.First, ct).ConfigureAwait(false);
            }
            else
            {
                foreach (var segment in data) await destination.WriteAsync(segment, ct).ConfigureAwait(false);
            }
            return true;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            return false;
        }
    }

}
