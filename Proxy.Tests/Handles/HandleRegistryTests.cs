using Proxy.Actors.Handles;

namespace Proxy.Tests.Handles;

public sealed class HandleRegistryTests
{
    private sealed record Named(string Name);

    [Fact]
    public void MissingName_GetsTheFamilysFallback_PublishedName_GetsItsHandle()
    {
        var registry = new HandleRegistry<Named>(name => new Named("fallback:" + name));
        Assert.Equal("fallback:x", registry.Get("x").Name);

        var handle = new Named("x");
        registry.Publish("x", handle);
        Assert.Same(handle, registry.Get("x"));
        Assert.True(registry.TryGet("x", out var found));
        Assert.Same(handle, found);
    }

    [Fact]
    public void Republish_ReplacesTheHandle_Remove_FallsBack()
    {
        var registry = new HandleRegistry<Named>(name => new Named("fallback"));
        registry.Publish("x", new Named("old"));
        var newer = new Named("new");
        registry.Publish("x", newer);
        Assert.Same(newer, registry.Get("x"));

        registry.Remove("x");
        Assert.False(registry.TryGet("x", out _));
        Assert.Equal("fallback", registry.Get("x").Name);
        Assert.Equal("fallback", registry.Get(null).Name);
    }
}
