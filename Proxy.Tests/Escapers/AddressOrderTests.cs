using Proxy.Actors.Escapers.Direct;

namespace Proxy.Tests.Escapers;

public sealed class AddressOrderTests
{
    [Fact]
    public void Interleave_KeepsFirstFamilyCount_ThenAlternates()
    {
        var result = AddressOrder.Interleave(["a1", "a2", "a3"], ["b1", "b2"], keepFirst: 2);
        Assert.Equal(["a1", "a2", "b1", "a3", "b2"], result);
    }

    [Fact]
    public void Interleave_AfterTries_StartsWithOtherFamily()
    {
        var result = AddressOrder.Interleave(["a2", "a3"], ["b1", "b2", "b3"], keepFirst: 0);
        Assert.Equal(["b1", "a2", "b2", "a3", "b3"], result);
    }
}
