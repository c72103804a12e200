using Proxy.Actors.Config.Values;
using Proxy.Actors.Users.Limits;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Users.Limits;

public sealed class LimiterTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Gcra_AllowsTheBurst_ThenOnePerInterval_AndSaysHowLong()
    {
        var limiter = new GcraRateLimiter(new RateLimitQuota(TimeSpan.FromMilliseconds(100), 3), _time);
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire(out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(100), wait);
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(limiter.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
    }

    [Fact]
    public void Gcra_IsSafeUnderConcurrency_NoMoreThanTheBurst()
    {
        var limiter = new GcraRateLimiter(new RateLimitQuota(TimeSpan.FromHours(1), 100), _time);
        var granted = 0;
        Parallel.For(0, 1000, _ => { if (limiter.TryAcquire()) Interlocked.Increment(ref granted); });
        Assert.Equal(100, granted);
    }

    [Fact]
    public void GlobalStream_StartsWithOneReplenish_RefillsToTheBurst()
    {
        var limiter = new GlobalStreamLimiter(new GlobalStreamSpeedLimit(TimeSpan.FromMilliseconds(100), 1000, 2500), _time);
        Assert.Equal(1000, limiter.TryConsume(4096, out _));
        Assert.Equal(0, limiter.TryConsume(10, out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(100), wait);
        _time.Advance(TimeSpan.FromMilliseconds(250));   // two replenishes: 2000
        Assert.Equal(TimeSpan.FromMilliseconds(50), TimeUntilNext(limiter, 1500));
        _time.Advance(TimeSpan.FromSeconds(10));         // capped at max_burst_bytes
        Assert.Equal(2500, limiter.Available);
        limiter.Release(5000);
        Assert.Equal(2500, limiter.Available);
    }

    private static TimeSpan TimeUntilNext(GlobalStreamLimiter limiter, int expectedFirst)
    {
        Assert.Equal(expectedFirst, limiter.TryConsume(1500, out _));
        Assert.Equal(500, limiter.TryConsume(1500, out _));
        Assert.Equal(0, limiter.TryConsume(1, out var wait));
        return wait;
    }

    [Fact]
    public async Task GlobalStream_TwoConsumersShareOneBucket()
    {
        // two connections of one user each want 3000 bytes from a 1000-per-100ms bucket: together 6000 = 6 replenishes
        var limiter = new GlobalStreamLimiter(new GlobalStreamSpeedLimit(TimeSpan.FromMilliseconds(100), 1000, 1000), _time);
        async Task<int> Pull()
        {
            var total = 0;
            while (total < 3000) total += await limiter.AcquireAsync(3000 - total, CancellationToken.None);
            return total;
        }
        var a = Pull();
        var b = Pull();
        var advanced = TimeSpan.Zero;
        while (!(a.IsCompleted && b.IsCompleted) && advanced < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromMilliseconds(10));
            advanced += TimeSpan.FromMilliseconds(10);
        }
        Assert.Equal((3000, 3000), (await a, await b));
        Assert.InRange(advanced, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(700));
    }

    [Fact]
    public void GlobalDatagram_LimitsPacketsAndBytes()
    {
        var limiter = new GlobalDatagramLimiter(new GlobalDatagramSpeedLimit(TimeSpan.FromSeconds(1), 1500, 2, 1500, 2), _time);
        Assert.True(limiter.TryConsume(1000, out _));
        Assert.True(limiter.TryConsume(1000, out _));   // a datagram is never split: the byte bucket goes negative
        Assert.False(limiter.TryConsume(10, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(1), wait);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryConsume(100, out _));    // repaid: 1500 - 500 overdraw = 1000 left
        Assert.True(limiter.TryConsume(100, out _));
        Assert.False(limiter.TryConsume(100, out _));   // two packets per second
    }
}
