using Proxy.Actors.Config.Values;
using Proxy.Actors.Users.Limits;

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
    /// <summary>A user's all-connection bucket (tcp_all_upload/download_speed_limit) drawn from after the slice budget.</summary>
    private GlobalStreamLimiter? _shared;
    private int _granted;

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

    /// <summary>
    /// With a user: the strictest of the server's, the escaper's and the user's socket limits (the
    /// client-side limit of g3 is the stricter of server and user), then the user's shared bucket.
    /// </summary>
    public static SpeedLimiter? North(TcpSockSpeedLimit client, TcpSockSpeedLimit remote, TcpSockSpeedLimit user, GlobalStreamLimiter? shared, TimeProvider time) =>
        WithShared(PickStricter(PickStricter((client.MaxNorth, client.ShiftMillis), (remote.MaxNorth, remote.ShiftMillis)), (user.MaxNorth, user.ShiftMillis)), shared, time);

    public static SpeedLimiter? South(TcpSockSpeedLimit client, TcpSockSpeedLimit remote, TcpSockSpeedLimit user, GlobalStreamLimiter? shared, TimeProvider time) =>
        WithShared(PickStricter(PickStricter((client.MaxSouth, client.ShiftMillis), (remote.MaxSouth, remote.ShiftMillis)), (user.MaxSouth, user.ShiftMillis)), shared, time);

    private static (long Max, int Shift) PickStricter((long Max, int Shift) a, (long Max, int Shift) b) =>
        b.Max <= 0 || (a.Max > 0 && (double)a.Max / (1 << a.Shift) <= (double)b.Max / (1 << b.Shift)) ? a : b;

    private static SpeedLimiter? WithShared((long Max, int Shift) limit, GlobalStreamLimiter? shared, TimeProvider time)
    {
        if (limit.Max <= 0 && shared is null) return null;
        // Only the shared bucket: a slice budget that never runs out.
        var limiter = limit.Max > 0 ? new SpeedLimiter(limit.Max, limit.Shift, time) : new SpeedLimiter(long.MaxValue / 2, 10, time);
        limiter._shared = shared;
        return limiter;
    }

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
            if (left > 0)
            {
                var take = (int)Math.Min(wanted, left);
                if (_shared is null) return take;
                _granted = await _shared.AcquireAsync(take, ct).ConfigureAwait(false);
                return _granted;
            }
            var wait = _time.GetElapsedTime(now, _sliceStart + _sliceTicks);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Counts what moved; the shared bucket gets back what was granted but not sent.</summary>
    public void Consume(int n)
    {
        _used += n;
        if (_shared is null) return;
        _shared.Release(_granted - n);
        _granted = 0;
    }

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
