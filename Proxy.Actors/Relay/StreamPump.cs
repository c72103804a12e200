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
    /// <summary>
    /// How far a direction's buffer grows while reads keep filling it. tcp_copy_buffer_size is
    /// where it starts; the buffer is only held while data flows, so idle tunnels cost nothing.
    /// </summary>
    public const int MaxBufferSize = 1024 * 1024;

    /// <remarks>
    /// Socket operations get no cancellation token (a registration per waiting operation costs
    /// on every chunk); <see cref="TunnelRelay"/> aborts a tunnel by closing its sockets instead.
    /// </remarks>
    /// <remarks>
    /// Never faults: how it ended (an unexpected exception included) goes to <paramref name="race"/>
    /// when it ends, and nobody awaits the returned task.
    /// </remarks>
    public static async Task CopyAsync(
        RelayEndpoint from,
        RelayEndpoint to,
        int bufferSize,
        SpeedLimiter? limiter,
        ActivityTracker activity,
        TaskBytes bytes,
        RelayRace race,
        bool north)
    {
        var source = from.Stream;
        var destination = to.Stream;
        var ct = activity.Token;
        byte[]? buffer = null;
        var lastReadFilled = false;
        var size = bufferSize;
        var result = PumpResult.Cancelled;
        Exception? error = null;
        try
        {
            while (true)
            {
                // While idle, wait with a zero-byte read so the tunnel holds no buffer. Right after
                // a read that filled the buffer more data is almost surely there: skip the peek.
                if (!lastReadFilled)
                {
                    try
                    {
                        var zero = source.ReadAsync(Memory<byte>.Empty, CancellationToken.None);
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
                    catch (Exception e) when (IoErrors.IsExpected(e))
                    {
                        result = Failed(PumpResult.SourceFailed, ct);
                        return;
                    }
                }

                buffer ??= ArrayPool<byte>.Shared.Rent(size);
                var want = Math.Min(buffer.Length, size);
                if (limiter is not null) want = await limiter.AcquireAsync(want, ct).ConfigureAwait(false);

                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(0, want), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (IoErrors.IsExpected(e))
                {
                    result = Failed(PumpResult.SourceFailed, ct);
                    return;
                }
                if (read == 0)
                {
                    if (ct.IsCancellationRequested) return;
                    race.SourceClosed(north);
                    await to.ShutdownSendAsync().ConfigureAwait(false);
                    result = PumpResult.SourceClosed;
                    return;
                }
                lastReadFilled = read == want;
                if (lastReadFilled && size < MaxBufferSize && limiter is null)
                {
                    // A bulk flow: each doubling halves the syscalls and wake-ups per byte, which is
                    // where a loopback relay's CPU goes (docs/perf.md). Written below, then swapped.
                    size = Math.Min(size * 2, MaxBufferSize);
                }
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
                    await destination.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (IoErrors.IsExpected(e))
                {
                    result = Failed(PumpResult.DestinationFailed, ct);
                    return;
                }
                if (buffer.Length < size)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            result = PumpResult.Cancelled;
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            race.Finish(north, result, error);
        }
    }

    /// <summary>A failure after the tunnel was aborted (idle, node stop, the other side failed) is the abort.</summary>
    private static PumpResult Failed(PumpResult result, CancellationToken ct) =>
        ct.IsCancellationRequested ? PumpResult.Cancelled : result;

}
