using Proxy.Actors.Audit.Inspect;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Audit.Inspect;

public sealed class H2UpstreamWatchTests
{
    /// <summary>SETTINGS (type 4) with ENABLE_PUSH=0 then MAX_CONCURRENT_STREAMS=1: 9 bytes of header, 12 of payload.</summary>
    private static readonly byte[] Settings = [0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1];

    /// <summary>A WINDOW_UPDATE on the connection: 9 bytes of header, 4 of payload.</summary>
    private static readonly byte[] WindowUpdate = [0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 1, 0, 0];

    private static H2UpstreamWatch Watch(H2StreamSlots slots) => new(Stream.Null, slots);

    [Fact]
    public async Task SettingsSplitAcrossReads_EndsTheHandshake_AndSetsTheStreamLimit()
    {
        var slots = new H2StreamSlots();
        using var watch = Watch(slots);
        byte[] all = [.. Settings, .. WindowUpdate];

        foreach (var b in all[..^1]) watch.Observe([b]);
        watch.Observe(all[^1..]);

        Assert.True(await watch.Preface);
        Assert.True(await slots.AcquireAsync(TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None));
        // The server allows one stream: the second waits, and gets none when the time is up.
        var time = new ManualTimeProvider();
        var second = slots.AcquireAsync(TimeSpan.FromSeconds(1), time, CancellationToken.None);
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(await second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AFirstFrameOtherThanSettings_IsNoHandshake()
    {
        using var watch = Watch(new H2StreamSlots());

        watch.Observe([.. WindowUpdate, .. Settings]);

        Assert.False(await watch.Preface);
    }

    [Fact]
    public async Task TheEndOfTheStreamBeforeSettings_IsNoHandshake()
    {
        using var watch = Watch(new H2StreamSlots());

        watch.Observe(Settings.AsSpan(0, 5));
        watch.Observe([]);

        Assert.False(await watch.Preface);
    }

    [Fact]
    public async Task AReleasedSlot_GoesToTheStreamWaitingForIt()
    {
        var slots = new H2StreamSlots();
        slots.SetLimit(1);
        Assert.True(await slots.AcquireAsync(TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None));

        var waiting = slots.AcquireAsync(TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        slots.Release();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
