using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Resolvers.CAres;
using Proxy.Actors.Resolvers.Wire;

namespace Proxy.Tests.Resolvers;

/// <summary>c-ares with bind_ipv4: queries leave from the configured source address.</summary>
public sealed class BoundDnsDriverTests : IAsyncLifetime
{
    private static readonly IPAddress Source = IPAddress.Parse("127.0.0.2"); // loopback, not the default source
    private readonly TestDnsServer _dns = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _dns.DisposeAsync();

    private CAresResolver Resolver(int eachTimeoutMs = 1000, int tries = 2, TimeProvider? time = null) =>
        new(new CAresResolverConfig
        {
            Name = "bound",
            Position = new ConfigPosition("resolver.yml", 1),
            Servers = [_dns.EndPoint],
            EachTimeout = TimeSpan.FromMilliseconds(eachTimeoutMs),
            EachTries = tries,
            BindIpv4 = Source,
        }, time);

    [Fact]
    public async Task Query_LeavesFromBindIpv4_AndIsAnswered()
    {
        _dns.SetA("bound.example", 300, "192.0.2.7", "192.0.2.8");

        var r = await Resolver().ResolveAsync("bound.example", AddressFamily.InterNetwork, CancellationToken.None);

        Assert.True(r.Ok, r.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.7"), IPAddress.Parse("192.0.2.8")], r.Addresses);
        Assert.Equal(Source, _dns.LastUdpSource!.Address);
    }

    [Fact]
    public async Task TruncatedAnswer_RetriedOverTcp_FromTheSameSource()
    {
        _dns.SetA("big.example", 300, "192.0.2.9");
        _dns.TruncateUdp = true;

        var r = await Resolver().ResolveAsync("big.example", AddressFamily.InterNetwork, CancellationToken.None);

        Assert.True(r.Ok, r.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.9")], r.Addresses);
        Assert.Equal(1, _dns.TcpQueries);
        Assert.Equal(Source, _dns.LastTcpSource!.Address);
    }

    [Fact]
    public async Task Nxdomain_IsNotFound_AndNoRecord_IsNoRecord()
    {
        _dns.SetA("v4.example", 300, "192.0.2.1");
        var missing = await Resolver().ResolveAsync("missing.example", AddressFamily.InterNetwork, CancellationToken.None);
        var noAaaa = await Resolver().ResolveAsync("v4.example", AddressFamily.InterNetworkV6, CancellationToken.None);
        Assert.Equal(ResolveErrorKind.NotFound, missing.Error);
        Assert.Equal(ResolveErrorKind.NoRecord, noAaaa.Error);
    }

    [Fact]
    public async Task SilentServer_TimesOutAfterEveryTry()
    {
        _dns.Silent = true;
        var sw = Stopwatch.StartNew();

        var r = await Resolver(eachTimeoutMs: 200, tries: 2).ResolveAsync("quiet.example", AddressFamily.InterNetwork, CancellationToken.None);

        Assert.Equal(ResolveErrorKind.Timeout, r.Error);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(350), $"gave up after {sw.ElapsedMilliseconds} ms");
        Assert.Equal(2, _dns.Queries);
    }

    [Fact]
    public async Task EachTimeout_RunsOnTheTimeProvider()
    {
        _dns.Silent = true;
        var clock = new ManualTimeProvider();
        var lookup = Resolver(eachTimeoutMs: 30_000, tries: 1, time: clock)
            .ResolveAsync("quiet.example", AddressFamily.InterNetwork, CancellationToken.None).AsTask();

        // The real clock never reaches 30 s here: only the test's clock can end the wait.
        Assert.True(await Eventually.True(() => _dns.Queries == 1));
        Assert.False(lookup.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(31)); // each_timeout, not yet protective_query_timeout (60 s)

        var r = await lookup.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ResolveErrorKind.Timeout, r.Error);
        Assert.Contains("no answer from", r.Reason);
    }

    [Fact]
    public void Wire_QueryAndMalformedReplies()
    {
        var q = DnsWire.Query(0x1234, "a.example", DnsWire.TypeA)!;
        Assert.Equal(0x12, q[0]);
        Assert.Equal(0x34, q[1]);
        Assert.Equal([1, (byte)'a', 7], q[12..15]);
        Assert.Null(DnsWire.Query(1, "bad..name", DnsWire.TypeA));
        Assert.Null(DnsWire.Query(1, new string('x', 64) + ".example", DnsWire.TypeA));
        // A query is not a reply (QR clear), and a truncated reply does not parse.
        Assert.Null(DnsWire.Parse(q, DnsWire.TypeA));
        var reply = (byte[])q.Clone();
        reply[2] |= 0x80;
        reply[7] = 1; // claims one answer that is not there
        Assert.Null(DnsWire.Parse(reply, DnsWire.TypeA));
    }
}
