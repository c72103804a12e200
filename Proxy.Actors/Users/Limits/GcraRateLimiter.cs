using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Users.Limits;

/// <summary>
/// g3's rate limiter (GCRA): one token every <see cref="RateLimitQuota.Replenish"/>, a burst of
/// <see cref="RateLimitQuota.MaxBurst"/>. Lock-free and shared by every connection of a user.
/// </summary>
public sealed class GcraRateLimiter
{
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly long _replenishTicks;
    private readonly long _burstTicks;
    private long _tat; // theoretical arrival time, in ticks since _start

    public GcraRateLimiter(RateLimitQuota quota, TimeProvider time)
    {
        _time = time;
        _start = time.GetTimestamp();
        _replenishTicks = Math.Max(1, quota.Replenish.Ticks);
        _burstTicks = (quota.MaxBurst - 1) * _replenishTicks;
    }

    /// <summary>Takes one token; when none is left, says how long until one is.</summary>
    public bool TryAcquire(out TimeSpan retryAfter)
    {
        var now = _time.GetElapsedTime(_start).Ticks;
        var tat = Volatile.Read(ref _tat);
        while (true)
        {
            var earliest = tat - _burstTicks;
            if (now < earliest)
            {
                retryAfter = TimeSpan.FromTicks(earliest - now);
                return false;
            }
            var next = Math.Max(tat, now) + _replenishTicks;
            var seen = Interlocked.CompareExchange(ref _tat, next, tat);
            if (seen == tat)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }
            tat = seen;
        }
    }

    public bool TryAcquire() => TryAcquire(out _);
}
