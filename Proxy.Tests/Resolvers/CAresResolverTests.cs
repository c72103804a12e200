using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Resolvers.CAres;

namespace Proxy.Tests.Resolvers;

public sealed class CAresResolverTests : IAsyncLifetime
{
    private readonly TestDnsServer _dns = new();
    private readonly ManualTimeProvider _clock = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _dns.DisposeAsync();

    private CAresResolver Resolver(TimeProvider? time = null, int eachTimeoutMs = 1000, int tries = 2) =>
        new(new CAresResolverConfig
        {
            Name = "dns",
            Position = new ConfigPosition("resolver.yml", 1),
            Servers = [_dns.EndPoint],
            EachTimeout = TimeSpan.FromMilliseconds(eachTimeoutMs),
            EachTries = tries,
        }, time ?? _clock);

    [Fact]
    public async Task A_And_Aaaa_Answered()
    {
        _dns.SetA("test.example", 300, "192.0.2.1", "192.0.2.2");
        _dns.SetAaaa("test.example", 300, "2001:db8::1");
        var r = Resolver();

        var v4 = await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        var v6 = await r.ResolveAsync("test.example", AddressFamily.InterNetworkV6, CancellationToken.None);

        Assert.True(v4.Ok, v4.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2")], v4.Addresses);
        Assert.True(v6.Ok, v6.Reason);
        Assert.Equal([IPAddress.Parse("2001:db8::1")], v6.Addresses);
    }

    [Fact]
    public async Task NoRecordOfFamily_NoRecord()
    {
        _dns.SetA("v4only.example", 300, "192.0.2.1");
        var r = await Resolver().ResolveAsync("v4only.example", AddressFamily.InterNetworkV6, CancellationToken.None);
        Assert.Equal(ResolveErrorKind.NoRecord, r.Error);
    }

    [Fact]
    public async Task TruncatedUdpAnswer_RetriedOverTcp()
    {
        _dns.SetA("big.example", 300, "192.0.2.1");
        _dns.TruncateUdp = true;

        var r = await Resolver().ResolveAsync("big.example", AddressFamily.InterNetwork, CancellationToken.None);

        Assert.True(r.Ok, r.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.1")], r.Addresses);
        Assert.Equal(1, _dns.TcpQueries);
    }

    [Fact]
    public async Task IpLiteral_NoQuery()
    {
        var r = Resolver();
        var v4 = await r.ResolveAsync("198.51.100.7", AddressFamily.InterNetwork, CancellationToken.None);
        var v6 = await r.ResolveAsync("[2001:db8::5]", AddressFamily.InterNetworkV6, CancellationToken.None);
        Assert.Equal([IPAddress.Parse("198.51.100.7")], v4.Addresses);
        Assert.Equal([IPAddress.Parse("2001:db8::5")], v6.Addresses);
        Assert.Equal(0, _dns.Queries);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LocalHost.")]
    [InlineData("app.localhost")]
    [InlineData("a.b.localhost.")]
    public async Task Localhost_Loopback_WithoutAskingDns(string host)
    {
        var r = Resolver();
        var v4 = await r.ResolveAsync(host, AddressFamily.InterNetwork, CancellationToken.None);
        var v6 = await r.ResolveAsync(host, AddressFamily.InterNetworkV6, CancellationToken.None);
        Assert.Equal([IPAddress.Loopback], v4.Addresses);
        Assert.Equal([IPAddress.IPv6Loopback], v6.Addresses);
        Assert.Equal(0, _dns.Queries);
    }

    [Theory]
    [InlineData("notlocalhost")]
    [InlineData("localhost.example")]
    public async Task NamesThatOnlyLookLikeLocalhost_AskDns(string host)
    {
        var r = await Resolver().ResolveAsync(host, AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(ResolveErrorKind.NotFound, r.Error);
        Assert.True(_dns.Queries > 0);
    }

    [Fact]
    public async Task NxDomain_NotFound_AndCachedNegatively()
    {
        var r = Resolver();
        var first = await r.ResolveAsync("missing.example", AddressFamily.InterNetwork, CancellationToken.None);
        var second = await r.ResolveAsync("missing.example", AddressFamily.InterNetwork, CancellationToken.None);

        Assert.Equal(ResolveErrorKind.NotFound, first.Error);
        Assert.Contains("NXDOMAIN", first.Reason);
        Assert.Equal(ResolveErrorKind.NotFound, second.Error);
        Assert.Equal(1, _dns.Queries);

        _clock.Advance(TimeSpan.FromSeconds(31)); // negative_min_ttl 30
        await r.ResolveAsync("missing.example", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(2, _dns.Queries);
    }

    [Fact]
    public async Task CacheHit_DoesNotQueryAgain()
    {
        _dns.SetA("test.example", 300, "192.0.2.1");
        var r = Resolver();
        for (var i = 0; i < 5; i++)
            Assert.True((await r.ResolveAsync("TEST.example.", AddressFamily.InterNetwork, CancellationToken.None)).Ok);
        Assert.Equal(1, _dns.Queries);
    }

    [Fact]
    public async Task ExpiredEntry_ServedStale_WhileRefreshRuns()
    {
        // TTL 100 with min 30: expire at 70s, vanish at 100s.
        _dns.SetA("test.example", 100, "192.0.2.1");
        var r = Resolver();
        await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        _dns.SetA("test.example", 100, "192.0.2.2");

        _clock.Advance(TimeSpan.FromSeconds(69));
        var fresh = await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal([IPAddress.Parse("192.0.2.1")], fresh.Addresses);
        Assert.Equal(1, _dns.Queries);

        _clock.Advance(TimeSpan.FromSeconds(2));
        var stale = await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal([IPAddress.Parse("192.0.2.1")], stale.Addresses);

        Assert.True(await Eventually.True(async () =>
            (await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None))
                .Addresses.SequenceEqual([IPAddress.Parse("192.0.2.2")])));
        Assert.Equal(2, _dns.Queries);
    }

    [Fact]
    public async Task VanishedEntry_WaitsForFreshAnswer()
    {
        // TTL 10 <= min 30: expire at 30s, vanish at 31s.
        _dns.SetA("test.example", 10, "192.0.2.1");
        var r = Resolver();
        await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        _dns.SetA("test.example", 10, "192.0.2.2");

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal([IPAddress.Parse("192.0.2.1")],
            (await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None)).Addresses);

        _clock.Advance(TimeSpan.FromSeconds(3));
        var after = await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal([IPAddress.Parse("192.0.2.2")], after.Addresses);
        Assert.Equal(2, _dns.Queries);
    }

    [Fact]
    public async Task ConcurrentLookups_OneUpstreamQuery()
    {
        _dns.SetA("busy.example", 300, "192.0.2.9");
        _dns.Hold();
        var r = Resolver(eachTimeoutMs: 10_000); // no client retry while answers are held

        var lookups = Enumerable.Range(0, 50)
            .Select(_ => r.ResolveAsync("busy.example", AddressFamily.InterNetwork, CancellationToken.None).AsTask())
            .ToArray();
        Assert.True(await Eventually.True(() => _dns.Queries >= 1));
        _dns.Release();
        var results = await Task.WhenAll(lookups).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(results, x => Assert.True(x.Ok, x.Reason));
        Assert.Equal(1, _dns.Queries);
    }

    [Fact]
    public async Task SilentServer_TimesOut_WithinEachTimeoutTimesTries()
    {
        _dns.Silent = true;
        var r = Resolver(TimeProvider.System, eachTimeoutMs: 200, tries: 2);

        var sw = Stopwatch.StartNew();
        var result = await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        sw.Stop();

        Assert.Equal(ResolveErrorKind.Timeout, result.Error);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(150), $"gave up after {sw.Elapsed}");
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(400 + 3000), $"took {sw.Elapsed}");
        Assert.True(_dns.Queries >= 1);
    }

    [Fact]
    public async Task ProtectiveQueryTimeout_BoundsQuery()
    {
        _dns.Silent = true;
        var r = new CAresResolver(new CAresResolverConfig
        {
            Name = "dns",
            Position = new ConfigPosition("resolver.yml", 1),
            Servers = [_dns.EndPoint],
            EachTimeout = TimeSpan.FromSeconds(30),
            EachTries = 3,
            ProtectiveQueryTimeout = TimeSpan.FromMilliseconds(200),
        }, TimeProvider.System);

        var result = await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ResolveErrorKind.Timeout, result.Error);
        Assert.Contains("protective", result.Reason);
    }

    [Fact]
    public async Task DenyAll_Denies()
    {
        var r = ResolverFactory.Create(new DenyAllResolverConfig { Name = "deny", Position = new ConfigPosition("r.yml", 1) },
            new Proxy.Actors.Handles.HandleRegistry<IResolver>(n => new DenyAllResolver(n)));
        var result = await r.ResolveAsync("test.example", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(ResolveErrorKind.Denied, result.Error);
        Assert.IsType<DenyAllResolver>(r);
    }
}
