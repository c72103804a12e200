namespace Proxy.Actors.Users.Limits;

/// <summary>
/// The replenish schedule of a token bucket, read from the clock when tokens are asked for: how many
/// whole intervals passed since the last replenish, and how long until the next. Not thread-safe: the
/// bucket calls it under its lock.
/// </summary>
internal sealed class ReplenishClock
{
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private long _last;

    public ReplenishClock(TimeSpan interval, TimeProvider time)
    {
        _time = time;
        _intervalTicks = Math.Max(1, (long)(interval.Ticks * (time.TimestampFrequency / (double)TimeSpan.TicksPerSecond)));
        _last = time.GetTimestamp();
    }

    /// <summary>Whole intervals passed since the last replenish (and moves the schedule past them).</summary>
    public long Advance()
    {
        var intervals = (_time.GetTimestamp() - _last) / _intervalTicks;
        if (intervals > 0) _last += intervals * _intervalTicks;
        return intervals;
    }

    public TimeSpan UntilNext => _time.GetElapsedTime(_time.GetTimestamp(), _last + _intervalTicks);

    /// <summary><paramref name="current"/> plus <paramref name="intervals"/> refills of <paramref name="per"/>, capped at <paramref name="max"/> without overflow.</summary>
    public static long Refill(long current, long intervals, long per, long max) =>
        per == 0 || intervals <= 0 ? current : Math.Min(max, current + Math.Min(intervals, max / per + 1) * per);
}
