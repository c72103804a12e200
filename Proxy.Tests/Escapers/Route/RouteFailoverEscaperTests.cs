using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Escapers.Proxy;

namespace Proxy.Tests.Escapers.Route;

/// <summary>route_failover over real chaining escapers: a next proxy that accepts and never answers, one that refuses, one that works.</summary>
public sealed class RouteFailoverEscaperTests
{
    private static readonly ConfigPosition Pos = new("escaper.yml", 1);
    private static readonly TimeSpan FallbackDelay = TimeSpan.FromMilliseconds(400);
    private readonly HandleRegistry<IEscaper> _escapers = new(name => new DummyDenyEscaper(name));
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    private void PublishChain(string name, int port) =>
        _escapers.Publish(name, new ProxyHttpEscaper(new ProxyHttpEscaperConfig
        {
            Name = name,
            Position = Pos,
            ProxyAddr = [new Weighted<UpstreamAddr>(new UpstreamAddr("127.0.0.1", port))],
            TcpConnect = TcpConnectConfig.Default with { MaxRetry = 0 },
        }, _resolvers));

    private IEscaper Failover(TimeSpan? delay = null) => EscaperFactory.Create(new RouteFailoverEscaperConfig
    {
        Name = "failover",
        Position = Pos,
        Primary = "primary",
        Standby = "standby",
        FallbackDelay = delay ?? FallbackDelay,
    }, _resolvers, TimeProvider.System, _escapers);

    private static EscapeRequest Tcp() =>
        new(new TaskNotes { ServerType = "HttpProxy", ServerName = "t", StartAt = DateTimeOffset.UtcNow }, new UpstreamAddr("example.test", 443), EscapeWant.Tcp);

    [Fact]
    public async Task SilentPrimary_StandbyServes_AfterFallbackDelay_AndNotMuchLater()
    {
        await using var silent = new ScriptedProxy(ProxyAct.Silent);
        await using var good = new ScriptedProxy(ProxyAct.Echo);
        PublishChain("primary", silent.Port);
        PublishChain("standby", good.Port);
        // Timed in the clock .NET's timers count in (Environment.TickCount64, the kernel's coarse monotonic
        // clock on Linux): by a Stopwatch the fallback delay can end a coarse tick (a few ms) early.
        var start = Environment.TickCount64;

        var result = await Failover().EscapeAsync(Tcp(), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, good.Port), result.PeerAddr);
        Assert.InRange(TimeSpan.FromMilliseconds(Environment.TickCount64 - start), FallbackDelay, FallbackDelay + TimeSpan.FromSeconds(1));
        Assert.Single(silent.Heads);
        Assert.Single(good.Heads);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task RefusedPrimary_StandbyServesAtOnce()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var good = new ScriptedProxy(ProxyAct.Echo);
        PublishChain("primary", closedPort);
        PublishChain("standby", good.Port);
        var delay = TimeSpan.FromSeconds(3);
        var sw = Stopwatch.StartNew();

        var result = await Failover(delay).EscapeAsync(Tcp(), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, good.Port), result.PeerAddr);
        Assert.True(sw.Elapsed < delay, $"standby took {sw.Elapsed.TotalMilliseconds}ms, not before fallback_delay");
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task WorkingPrimary_StandbyIsNeverTried()
    {
        await using var primary = new ScriptedProxy(ProxyAct.Echo);
        await using var standby = new ScriptedProxy(ProxyAct.Echo);
        PublishChain("primary", primary.Port);
        PublishChain("standby", standby.Port);

        // A long delay: the primary's answer, however slow the machine, comes well before it.
        var result = await Failover(TimeSpan.FromSeconds(10)).EscapeAsync(Tcp(), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, primary.Port), result.PeerAddr);
        Assert.Equal(0, standby.Accepted);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task BothFail_TheReasonNamesBoth()
    {
        _escapers.Publish("primary", new TaggedEscaper("primary", EscapeErrorKind.ConnectRefused));
        _escapers.Publish("standby", new TaggedEscaper("standby", EscapeErrorKind.ConnectTimeout));

        var result = await Failover().EscapeAsync(Tcp(), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.ConnectTimeout, result.Error);
        Assert.Contains("primary failed", result.Reason);
        Assert.Contains("standby failed", result.Reason);
    }
}
