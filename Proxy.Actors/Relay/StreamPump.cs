using System.Buffers;
using System.Net.Sockets;

namespace Proxy.Actors.Relay;

/// <summary>
/// Copies one direction of a relay (YARP StreamCopier style): a zero-byte read while idle so an
/// idle tunnel holds no buffer, a pooled buffer only while data flows, counters as plain fields,
/// and the source's FIN passed on to the destination. One state machine per direction: an idle
/// tunnel's memory is mostly these two.
/// </summary>
internal static class StreamPump
{
    public static async Task<PumpResult> CopyAsync(
        RelayEndpoint from,
        RelayEndpoint to,
        int bufferSize,
        SpeedLimiter? limiter,
        ActivityTracker activity,
        TaskBytes bytes,
        bool north)
    {
        var result = await CopyCoreAsync(from.Stream, to.Stream, bufferSize, limiter, activity, bytes, north, activity.Token)
            .ConfigureAwait(false);
        if (result == PumpResult.SourceClosed) await to.ShutdownSendAsync().ConfigureAwait(false);
        return result;
    }

    private static async ValueTask<PumpResult> CopyCoreAsync(
        Stream source,
        Stream destination,
        int bufferSize,
        SpeedLimiter? limiter,
        ActivityTracker activity,
        TaskBytes bytes,
        bool north,
        CancellationToken ct)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                try
                {
                    var zero = source.ReadAsync(Memory<byte>.Empty, ct);
                    if (!zero.IsCompletedSuccessfully)
                    {
                        if (buffer is not null)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = null;
                        }
                        await zero.ConfigureAwait(false);
                    }
                    else
                    {
                        zero.GetAwaiter().GetResult();
                    }
                }
                catch (Exception e) when (IsIoError(e, ct))
                {
                    return ct.IsCancellationRequested ? PumpResult.Cancelled : PumpResult.SourceFailed;
                }

                buffer ??= ArrayPool<byte>.Shared.Rent(bufferSize);
                var want = buffer.Length;
                if (limiter is not null) want = await limiter.AcquireAsync(want, ct).ConfigureAwait(false);

                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(0, want), ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IsIoError(e, ct))
                {
                    return ct.IsCancellationRequested ? PumpResult.Cancelled : PumpResult.SourceFailed;
                }
                if (read == 0) return PumpResult.SourceClosed;
                limiter?.Consume(read);
                activity.Touch();
                if (north)
                {
                    bytes.ClientRead += read;
                    bytes.RemoteWritten += read;
                }
                else
                {
                    bytes.RemoteRead += read;
                    bytes.ClientWritten += read;
                }

                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IsIoError(e, ct))
                {
                    return ct.IsCancellationRequested ? PumpResult.Cancelled : PumpResult.DestinationFailed;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return PumpResult.Cancelled;
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static bool IsIoError(Exception e, CancellationToken ct) =>
        e is IOException or SocketException or ObjectDisposedException
        || (e is OperationCanceledException && ct.IsCancellationRequested);
}
