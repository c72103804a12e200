namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's rate limit quota (GCRA): one token every <see cref="Replenish"/>, at most
/// <see cref="MaxBurst"/> taken at once. <c>100</c> / <c>"100/s"</c> is 100 tokens a second with a
/// burst of 100; <c>{replenish_interval: 1s, max_burst: 5}</c> is one a second with a burst of 5.
/// </summary>
public sealed record RateLimitQuota(TimeSpan Replenish, int MaxBurst)
{
    public static RateLimitQuota PerPeriod(TimeSpan period, int count) =>
        period.Ticks / count > 0
            ? new RateLimitQuota(TimeSpan.FromTicks(period.Ticks / count), count)
            : throw new FormatException($"too large max burst value {count} within {period}");
}
