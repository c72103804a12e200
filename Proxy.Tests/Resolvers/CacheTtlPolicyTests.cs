using Proxy.Actors.Resolvers.Cache;

namespace Proxy.Tests.Resolvers;

public sealed class CacheTtlPolicyTests
{
    private static readonly CacheTtlPolicy Policy = new(PositiveMinTtl: 30, PositiveMaxTtl: 3600, NegativeMinTtl: 20);

    [Theory]
    [InlineData(7200u, 3600, 7200)] // > max+min: expire at max, vanish at TTL
    [InlineData(3630u, 3600, 3630)] // == max+min: TTL > 2*min: expire TTL-min
    [InlineData(100u, 70, 100)]     // > 2*min: expire TTL-min
    [InlineData(60u, 30, 60)]       // == 2*min, > min: expire min
    [InlineData(31u, 30, 31)]       // > min: expire min
    [InlineData(30u, 30, 31)]       // else: expire min, vanish min+1
    [InlineData(0u, 30, 31)]
    public void Positive_FollowsG3Rule(uint ttl, int expire, int vanish)
    {
        var (e, v) = Policy.ForPositive(ttl);
        Assert.Equal(TimeSpan.FromSeconds(expire), e);
        Assert.Equal(TimeSpan.FromSeconds(vanish), v);
    }

    [Fact]
    public void Negative_LivesNegativeMinTtl()
    {
        var (e, v) = Policy.ForNegative();
        Assert.Equal(TimeSpan.FromSeconds(20), e);
        Assert.Equal(TimeSpan.FromSeconds(20), v);
    }
}
