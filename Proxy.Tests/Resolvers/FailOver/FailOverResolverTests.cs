using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Resolvers.CAres;
using Proxy.Actors.Resolvers.FailOver;

namespace Proxy.Tests.Resolvers.FailOver;

/// <summary>g3's fail_over selection, with real c-ares members for the dead-primary case.</summary>
public sealed class FailOverResolverTests
{
    /// <summary>A member that answers after a delay (never, when null).</summary>
    private sealed class Scripted(string name, TimeSpan? after, ResolveResult result) : IResolver
    {
        public string Name => name;

        public async ValueTask<ResolveResult> ResolveAsync(string host, AddressFamily family, CancellationToken ct)
        {
            await Task.Delay(after ?? Timeout.InfiniteTimeSpan, ct);
            return result;
        }
    }

    private static readonly ResolveResult PrimaryIp = new([IPAddress.Parse("192.0.2.1")], ResolveErrorKind.None);
    private static readonly ResolveResult StandbyIp = new([IPAddress.Parse("192.0.2.2")], ResolveErrorKind.None);
    private static readonly ResolveResult Nxdomain = ResolveResult.Fail(ResolveErrorKind.NotFound, "NXDOMAIN");
    private static readonly ResolveResult Empty = ResolveResult.Fail(ResolveErrorKind.NoRecord, "no A record");

    private static FailOverResolver FailOver(IResolver primary, IResolver standby, int delayMs = 200, bool retryEmpty = false)
    {
        var registry = new HandleRegistry<IResolver>(n => new DenyAllResolver(n));
        registry.Publish("p", primary);
        registry.Publish("s", standby);
        return new FailOverResolver(new FailOverResolverConfig
        {
            Name = "fo",
            Position = new ConfigPosition("r.yml", 1),
            Primary = "p",
            Standby = "s",
            FallbackDelay = TimeSpan.FromMilliseconds(delayMs),
            RetryEmptyRecord = retryEmpty,
        }, registry);
    }

    private static ValueTask<ResolveResult> Ask(IResolver r) => r.ResolveAsync("a.example", AddressFamily.InterNetwork, CancellationToken.None);

    [Fact]
    public async Task DeadPrimary_StandbyAnswersAfterFallbackDelay()
    {
        await using var dead = new TestDnsServer { Silent = true }; // a port where nothing answers
        await using var live = new TestDnsServer();
        live.SetA("a.example", 300, "192.0.2.2");
        var registry = new HandleRegistry<IResolver>(n => new DenyAllResolver(n));
        registry.Publish("p", CAres("p", dead));
        registry.Publish("s", CAres("s", live));
        var fo = new FailOverResolver(new FailOverResolverConfig
        {
            Name = "fo",
            Position = new ConfigPosition("r.yml", 1),
            Primary = "p",
            Standby = "s",
            FallbackDelay = TimeSpan.FromMilliseconds(300),
        }, registry);
        var sw = Stopwatch.StartNew();

        var r = await Ask(fo);

        Assert.True(r.Ok, r.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.2")], r.Addresses);
        // Not before fallback_delay, and long before the primary's own 5 s timeout.
        Assert.InRange(sw.ElapsedMilliseconds, 290, 2500);
        Assert.True(dead.Queries > 0, "the primary was asked");
    }

    private static CAresResolver CAres(string name, TestDnsServer dns) => new(new CAresResolverConfig
    {
        Name = name,
        Position = new ConfigPosition("r.yml", 1),
        Servers = [dns.EndPoint],
        EachTimeout = TimeSpan.FromSeconds(5),
        EachTries = 1,
    });

    [Fact]
    public async Task PrimaryWithinDelay_Wins_EvenWhenStandbyIsFaster()
    {
        var r = await Ask(FailOver(new Scripted("p", TimeSpan.FromMilliseconds(50), PrimaryIp), new Scripted("s", TimeSpan.Zero, StandbyIp)));
        Assert.Equal(PrimaryIp.Addresses, r.Addresses);
    }

    [Fact]
    public async Task PrimaryNxdomain_StandbyAnswerIsUsed()
    {
        var r = await Ask(FailOver(new Scripted("p", TimeSpan.Zero, Nxdomain), new Scripted("s", TimeSpan.FromMilliseconds(20), StandbyIp)));
        Assert.Equal(StandbyIp.Addresses, r.Addresses);
    }

    [Theory]
    [InlineData(false, ResolveErrorKind.NoRecord)]
    [InlineData(true, ResolveErrorKind.None)]
    public async Task PrimaryEmptyAnswer_FinalUnlessRetryEmptyRecord(bool retryEmpty, ResolveErrorKind expected)
    {
        var r = await Ask(FailOver(new Scripted("p", TimeSpan.Zero, Empty), new Scripted("s", TimeSpan.FromMilliseconds(20), StandbyIp),
            retryEmpty: retryEmpty));
        Assert.Equal(expected, r.Error);
    }

    [Fact]
    public async Task AfterDelay_FirstValidOfEither_PrimaryLateButFirst()
    {
        var r = await Ask(FailOver(new Scripted("p", TimeSpan.FromMilliseconds(150), PrimaryIp),
            new Scripted("s", TimeSpan.FromMilliseconds(600), StandbyIp), delayMs: 50));
        Assert.Equal(PrimaryIp.Addresses, r.Addresses);
    }

    [Fact]
    public async Task AfterDelay_StandbyFailsFirst_PrimaryLaterAnswerUsed()
    {
        var r = await Ask(FailOver(new Scripted("p", TimeSpan.FromMilliseconds(200), PrimaryIp),
            new Scripted("s", TimeSpan.FromMilliseconds(80), Nxdomain), delayMs: 50));
        Assert.Equal(PrimaryIp.Addresses, r.Addresses);
    }

    [Fact]
    public async Task BothFail_TheLaterFailureIsTheAnswer()
    {
        var late = ResolveResult.Fail(ResolveErrorKind.ServerFailure, "standby SERVFAIL");
        var r = await Ask(FailOver(new Scripted("p", TimeSpan.Zero, Nxdomain), new Scripted("s", TimeSpan.FromMilliseconds(30), late)));
        Assert.Equal("standby SERVFAIL", r.Reason);
    }

    [Fact]
    public async Task MissingMember_ActsAsDenyAll()
    {
        var registry = new HandleRegistry<IResolver>(n => new DenyAllResolver(n));
        var fo = new FailOverResolver(new FailOverResolverConfig
        {
            Name = "fo", Position = new ConfigPosition("r.yml", 1), Primary = "gone", Standby = "also-gone",
        }, registry);
        var r = await Ask(fo);
        Assert.Equal(ResolveErrorKind.Denied, r.Error);
    }
}
