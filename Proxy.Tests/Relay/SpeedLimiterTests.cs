using Proxy.Actors.Config.Values;
using Proxy.Actors.Relay;

namespace Proxy.Tests.Relay;

public sealed class SpeedLimiterTests
{
    [Fact]
    public async Task StricterLimit_Wins_ComparedPerMillisecond()
    {
        // 10,000 B per 1024 ms (~9.8 B/ms) against 2,000 B per 128 ms (~15.6 B/ms): the first is stricter,
        // although its per-slice number is the larger one.
        var client = new TcpSockSpeedLimit(10, 10_000, 0);
        var remote = new TcpSockSpeedLimit(7, 2_000, 0);
        var limiter = SpeedLimiter.North(client, remote, TimeProvider.System)!;

        Assert.Equal(10_000, await limiter.AcquireAsync(1_000_000, CancellationToken.None));
    }

    [Fact]
    public void BothUnlimited_NoLimiter() =>
        Assert.Null(SpeedLimiter.South(TcpSockSpeedLimit.Unlimited, TcpSockSpeedLimit.Unlimited, TimeProvider.System));
}
