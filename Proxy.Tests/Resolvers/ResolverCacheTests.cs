using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Resolvers.Cache;

namespace Proxy.Tests.Resolvers;

public sealed class ResolverCacheTests
{
    private readonly ManualTimeProvider _clock = new();
    private int _queries;

    private ResolverCache Cache(int capacity, ResolveDriverQuery? query = null) => new(
        query ?? ((host, _, _) =>
        {
            Interlocked.Increment(ref _queries);
            return Task.FromResult(new DriverAnswer(new ResolveResult([IPAddress.Parse("192.0.2.1")], ResolveErrorKind.None), 300));
        }),
        new CacheTtlPolicy(30, 3600, 30), TimeSpan.FromSeconds(60), _clock, capacity);

    [Fact]
    public async Task OverCapacity_EvictsOldest()
    {
        var cache = Cache(capacity: 8);
        for (var i = 0; i < 9; i++)
        {
            await cache.GetAsync($"h{i}.example", AddressFamily.InterNetwork, CancellationToken.None);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.True(cache.Count <= 8, $"{cache.Count} entries");

        // The newest entries stay cached; the oldest one was dropped.
        var before = _queries;
        await cache.GetAsync("h8.example", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(before, _queries);
        await cache.GetAsync("h0.example", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(before + 1, _queries);
    }

    [Fact]
    public async Task ProtectiveTimeout_FiresOnClock()
    {
        var cache = Cache(16, async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct); // a driver that never answers
            return new DriverAnswer(ResolveResult.Fail(ResolveErrorKind.ServerFailure, "unreachable"), 0);
        });

        var lookup = cache.GetAsync("slow.example", AddressFamily.InterNetwork, CancellationToken.None).AsTask();
        Assert.False(lookup.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(61));
        var result = await lookup.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ResolveErrorKind.Timeout, result.Error);
    }

    [Fact]
    public async Task CallerCancellation_DoesNotCancelSharedQuery()
    {
        var gate = new TaskCompletionSource<DriverAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = Cache(16, (_, _, _) => { Interlocked.Increment(ref _queries); return gate.Task; });
        using var cts = new CancellationTokenSource();

        var leaving = cache.GetAsync("a.example", AddressFamily.InterNetwork, cts.Token).AsTask();
        var staying = cache.GetAsync("a.example", AddressFamily.InterNetwork, CancellationToken.None).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        gate.SetResult(new DriverAnswer(new ResolveResult([IPAddress.Parse("192.0.2.3")], ResolveErrorKind.None), 300));

        Assert.True((await staying.WaitAsync(TimeSpan.FromSeconds(10))).Ok);
        Assert.Equal(1, _queries);
    }
}
