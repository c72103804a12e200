using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Relay;

/// <summary>
/// g3's per-socket speed limit for one direction: at most <c>max</c> bytes per time slice
/// of 2^shift ms. A token bucket read inline by the pump — no timers.
/// Not thread-safe: one pump direction owns one limiter.
/// </summary>
public sealed class SpeedLimiter
{
    private readonly long _maxPerSlice;
    private readonly long _sliceTicks;
    private readonly TimeProvider _time;
    private long _sliceStart;
    private long _used;

    private SpeedLimiter(long maxPerSlice, int shiftMillis, TimeProvider time)
    {
        _maxPerSlice = maxPerSlice;
        _time = time;
        _sliceTicks = (long)((1 << shiftMillis) * (time.TimestampFrequency / 1000.0));
        _sliceStart = time.GetTimestamp();
    }

    /// <summary>
    /// A limiter for the stricter of two limits (by bytes per millisecond, each keeping its own
    /// slice: budgets of different slice lengths cannot be compared as they stand), or null when
    /// both are unlimited.
    /// </summary>
    private static SpeedLimiter? Stricter(long maxA, int shiftA, long maxB, int shiftB, TimeProvider time)
    {
        if (maxA <= 0 && maxB <= 0) return null;
        var useA = maxB <= 0 || (maxA > 0 && (double)maxA / (1 << shiftA) <= (double)maxB / (1 << shiftB));
        return useA ? new SpeedLimiter(maxA, shiftA, time) : new SpeedLimiter(maxB, shiftB, time);
    }

    public static SpeedLimiter? North(TcpSockSpeedLimit client, TcpSockSpeedLimit remote, TimeProvider time) =>
        Stricter(client.MaxNorth, client.ShiftMillis, remote.MaxNorth, remote.ShiftMillis, time);

    public static SpeedLimiter? South(TcpSockSpeedLimit client, TcpSockSpeedLimit remote, TimeProvider time) =>
        Stricter(client.MaxSouth, client.ShiftMillis, remote.MaxSouth, remote.ShiftMillis, time);

    /// <summary>How many bytes may move now, waiting for the next slice when this one is spent.</summary>
    public async ValueTask<int> AcquireAsync(int wanted, CancellationToken ct)
    {
        while (true)
        {
            var now = _time.GetTimestamp();
            if (now - _sliceStart >= _sliceTicks)
            {
                _sliceStart = now - (now - _sliceStart) % _sliceTicks;
                _used = 0;
            }
            var left = _maxPerSlice - _used;
            if (left > 0) return (int)Math.Min(wanted, left);
            var wait = _time.GetElapsedTime(now, _sliceStart + _sliceTicks);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), _time, ct).ConfigureAwait(false);
        }
    }

    public void Consume(int n) => _used += n;

    /// <summary>Waits until <paramref name="n"/> bytes fit the limit and takes them (for writers that move whole buffers).</summary>
    public async ValueTask ThrottleAsync(long n, CancellationToken ct)
    {
        while (n > 0)
        {
            var got = await AcquireAsync((int)Math.Min(n, int.MaxValue), ct).ConfigureAwait(false);
            Consume(got);
            n -= got;
        }
    }
}
