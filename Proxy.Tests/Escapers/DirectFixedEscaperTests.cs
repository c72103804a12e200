using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Guardian;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Resolvers.CAres;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Escapers;

public sealed class DirectFixedEscaperTests : IAsyncLifetime
{
    private static readonly ConfigPosition Pos = new("escaper.yml", 1);

    /// <summary>What every g3 test config does: allow loopback upstreams explicitly.</summary>
    /// The builtin ::1/128 forbid is left out: an equal-length permit does not beat it in
    /// NetworkAclRule (first of equal prefixes wins), so the test permits ::1 by omission.
    private static readonly NetworkAclRule AllowLoopback = new(
    [
        .. NetworkAclRule.EgressBuiltins.Where(e => e.Network.PrefixLength != 128),
        new NetworkAclEntry(IPNetwork.Parse("127.0.0.1/32"), AclAction.Permit),
        new NetworkAclEntry(IPNetwork.Parse("::1/128"), AclAction.Permit),
    ], AclAction.Permit);

    private readonly TestDnsServer _dns = new();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    public Task InitializeAsync()
    {
        _listener.Start();
        _resolvers.Publish("dns", new CAresResolver(new CAresResolverConfig
        {
            Name = "dns",
            Position = Pos,
            Servers = [_dns.EndPoint],
            EachTimeout = TimeSpan.FromSeconds(2),
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _listener.Stop();
        await _dns.DisposeAsync();
    }

    private int ListenPort => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private static DirectFixedEscaperConfig Config(NetworkAclRule? filter = null, int maxRetry = 2, int eachTimeoutMs = 2000,
        ResolveQuery query = ResolveQuery.Ipv4First, string? resolver = "dns") => new()
    {
        Name = "direct",
        Position = Pos,
        Resolver = resolver,
        EgressNetworkFilter = filter ?? AllowLoopback,
        TcpConnect = new TcpConnectConfig(maxRetry, TimeSpan.FromMilliseconds(eachTimeoutMs)),
        ResolveStrategy = new ResolveStrategy(query, ResolvePick.First),
        TcpSockSpeedLimit = new TcpSockSpeedLimit(10, 1000, 2000),
    };

    private static EscapeRequest To(string host, int port) => TestTasks.Tcp(host, port);

    /// <summary>A loopback port nobody listens on: bind one, note it, close it.</summary>
    private static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task IpTarget_Permitted_Connects()
    {
        var escaper = new DirectFixedEscaper(Config(), _resolvers);
        var accept = _listener.AcceptSocketAsync();

        var result = await escaper.EscapeAsync(To("127.0.0.1", ListenPort), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        using var socket = result.Socket!;
        using var server = await accept.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(socket.NoDelay);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, ListenPort), result.PeerAddr);
        Assert.Equal(server.RemoteEndPoint, result.BoundAddr);
        Assert.Equal(1, result.Tries);
        Assert.Equal(new TcpSockSpeedLimit(10, 1000, 2000), result.SpeedLimit);
    }

    [Fact]
    public async Task TcpKeepalive_AppliedWhenConfigured()
    {
        var escaper = new DirectFixedEscaper(Config() with { TcpKeepalive = new TcpKeepaliveConfig(TimeSpan.FromSeconds(60)) }, _resolvers);

        var result = await escaper.EscapeAsync(To("127.0.0.1", ListenPort), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        using var socket = result.Socket!;
        Assert.NotEqual(0, (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        Assert.Equal(60, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
    }

    [Fact]
    public async Task TcpMiscOpts_WithTheUsersRemoteOptsOver_AreOnTheConnectedSocket()
    {
        var escaper = new DirectFixedEscaper(Config() with
        {
            TcpMiscOpts = new TcpMiscSockOpts { NetfilterMark = 5, TimeToLive = 40, MaxSegmentSize = 1000 },
            TcpKeepalive = new TcpKeepaliveConfig(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(7), 3),
        }, _resolvers);
        var request = To("127.0.0.1", ListenPort) with
        {
            UserTcpMiscOpts = new TcpMiscSockOpts { NetfilterMark = 9, TimeToLive = 50 },
            UserTcpKeepalive = new TcpKeepaliveConfig(TimeSpan.FromSeconds(30)),
        };

        var result = await escaper.EscapeAsync(request, CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        using var socket = result.Socket!;
        var buf = new byte[4];
        int Get(int level, int name) { socket.GetRawSocketOption(level, name, buf); return BitConverter.ToInt32(buf); }
        Assert.Equal(9, Get(1, 36));                    // the user's mark wins
        Assert.Equal(40, Get(0, 2));                    // the smaller ttl
        Assert.InRange(Get(6, 2), 500, 1000);           // the MSS went out in the SYN
        Assert.Equal((30, 7, 3), (Get(6, 4), Get(6, 5), Get(6, 6)));
        Assert.True(socket.NoDelay);
    }

    [Fact]
    public async Task LoopbackTarget_DefaultFilter_ForbiddenByRule()
    {
        var connector = new RecordingConnector();
        var escaper = new DirectFixedEscaper(Config(NetworkAclRule.DefaultEgress), _resolvers, connector);

        var result = await escaper.EscapeAsync(To("127.0.0.1", ListenPort), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.ForbiddenByRule, result.Error);
        Assert.Contains("127.0.0.1", result.Reason);
        Assert.Empty(connector.Calls);
    }

    [Fact]
    public async Task ClosedPort_ConnectRefused_AfterAllTries()
    {
        var escaper = new DirectFixedEscaper(Config(maxRetry: 2), _resolvers);

        var result = await escaper.EscapeAsync(To("127.0.0.1", ClosedPort()), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.ConnectRefused, result.Error);
        Assert.Equal(3, result.Tries);
        Assert.Null(result.Socket);
    }

    [Fact]
    public async Task HangingConnect_ConnectTimeout_AfterEachTimeoutTimesTries()
    {
        var connector = new HangingConnector();
        var escaper = new DirectFixedEscaper(Config(maxRetry: 1, eachTimeoutMs: 200), _resolvers, connector);

        var sw = Stopwatch.StartNew();
        var result = await escaper.EscapeAsync(To("127.0.0.1", 80), CancellationToken.None);
        sw.Stop();

        Assert.Equal(EscapeErrorKind.ConnectTimeout, result.Error);
        Assert.Equal(2, result.Tries);
        Assert.Equal(2, connector.Calls);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(350), $"gave up after {sw.Elapsed}");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task NetworkUnreachable_Classified()
    {
        var escaper = new DirectFixedEscaper(Config(maxRetry: 0), _resolvers, new FailingConnector(SocketError.NetworkUnreachable));

        var result = await escaper.EscapeAsync(To("127.0.0.1", 80), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.NetworkUnreachable, result.Error);
        Assert.Equal(1, result.Tries);
    }

    [Theory]
    [InlineData(SocketError.ConnectionReset, EscapeErrorKind.ConnectRefused)]
    [InlineData(SocketError.TimedOut, EscapeErrorKind.ConnectTimeout)]
    [InlineData(SocketError.HostUnreachable, EscapeErrorKind.NetworkUnreachable)]
    [InlineData(SocketError.AccessDenied, EscapeErrorKind.ConnectFailed)]
    public async Task SocketErrors_Classified(SocketError error, EscapeErrorKind expected)
    {
        var escaper = new DirectFixedEscaper(Config(maxRetry: 0), _resolvers, new FailingConnector(error));
        var result = await escaper.EscapeAsync(To("127.0.0.1", 80), CancellationToken.None);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public async Task DomainTarget_ResolvedThroughResolver_Connects()
    {
        _dns.SetA("test.example", 300, "127.0.0.1");
        var escaper = new DirectFixedEscaper(Config(), _resolvers);

        var result = await escaper.EscapeAsync(To("test.example", ListenPort), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        result.Socket!.Dispose();
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, ListenPort), result.PeerAddr);
    }

    [Fact]
    public async Task DomainTarget_ResolvedToLoopback_DefaultFilter_ForbiddenByRule()
    {
        _dns.SetA("test.example", 300, "127.0.0.1");
        var escaper = new DirectFixedEscaper(Config(NetworkAclRule.DefaultEgress, query: ResolveQuery.Ipv4Only), _resolvers);

        var result = await escaper.EscapeAsync(To("test.example", ListenPort), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.ForbiddenByRule, result.Error);
        Assert.Contains("127.0.0.1", result.Reason);
    }

    [Fact]
    public async Task Ipv6Only_AgainstAOnlyName_ResolveFailed()
    {
        _dns.SetA("test.example", 300, "127.0.0.1");
        var escaper = new DirectFixedEscaper(Config(query: ResolveQuery.Ipv6Only), _resolvers);

        var result = await escaper.EscapeAsync(To("test.example", ListenPort), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.ResolveFailed, result.Error);
        Assert.Contains("AAAA", result.Reason);
    }

    [Fact]
    public async Task NxDomain_ResolveFailed()
    {
        var escaper = new DirectFixedEscaper(Config(), _resolvers);
        var result = await escaper.EscapeAsync(To("nowhere.example", ListenPort), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.ResolveFailed, result.Error);
    }

    [Fact]
    public async Task HappyEyeballs_V6Refused_FallsBackToV4()
    {
        // ::1 is not listening on this port (refused); 127.0.0.1 is.
        _dns.SetAaaa("dual.example", 300, "::1");
        _dns.SetA("dual.example", 300, "127.0.0.1");
        var connector = new RecordingConnector();
        // A long resolution_delay so a busy machine cannot let the A answer start alone.
        var escaper = new DirectFixedEscaper(Config(query: ResolveQuery.Ipv6First) with
        {
            HappyEyeballs = new HappyEyeballsConfig { ResolutionDelay = TimeSpan.FromSeconds(5) },
        }, _resolvers, connector);

        var result = await escaper.EscapeAsync(To("dual.example", ListenPort), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        result.Socket!.Dispose();
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, ListenPort), result.PeerAddr);
        lock (connector.Calls)
            Assert.Equal(IPAddress.IPv6Loopback, connector.Calls[0].Target.Address);
        Assert.True(result.Tries >= 2);
    }

    [Fact]
    public async Task HappyEyeballs_SlowV6_V4StartsAfterAttemptDelay()
    {
        // A hanging ::1 must not hold the connection: v4 starts after connection_attempt_delay.
        _dns.SetAaaa("dual.example", 300, "::1");
        _dns.SetA("dual.example", 300, "127.0.0.1");
        var connector = new V6HangsConnector();
        var escaper = new DirectFixedEscaper(Config(query: ResolveQuery.Ipv6First, eachTimeoutMs: 10_000) with
        {
            HappyEyeballs = new HappyEyeballsConfig { ConnectionAttemptDelay = TimeSpan.FromMilliseconds(100) },
        }, _resolvers, connector);

        var sw = Stopwatch.StartNew();
        var result = await escaper.EscapeAsync(To("dual.example", ListenPort), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        result.Socket!.Dispose();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
        Assert.Equal(IPAddress.Loopback, result.PeerAddr!.Address);
    }

    [Fact]
    public async Task DanglingResolver_ActsAsDenyAll_ResolveFailed()
    {
        var escaper = new DirectFixedEscaper(Config(resolver: "missing"), _resolvers);
        var result = await escaper.EscapeAsync(To("test.example", ListenPort), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.ResolveFailed, result.Error);
        Assert.Contains("missing", result.Reason);
    }

    [Fact]
    public async Task ResolverReload_TakesEffectOnNextCall()
    {
        var escaper = new DirectFixedEscaper(Config(), _resolvers);
        _resolvers.Publish("dns", new DenyAllResolver("dns"));
        var result = await escaper.EscapeAsync(To("test.example", ListenPort), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.ResolveFailed, result.Error);
    }

    [Fact]
    public async Task BindIp_OfOtherFamilyOnly_TargetSkipped()
    {
        var connector = new RecordingConnector();
        var escaper = new DirectFixedEscaper(Config() with { BindIp = [IPAddress.IPv6Loopback] }, _resolvers, connector);

        var result = await escaper.EscapeAsync(To("127.0.0.1", ListenPort), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Empty(connector.Calls);
    }

    [Fact]
    public async Task BindIp_Used()
    {
        var connector = new RecordingConnector();
        var escaper = new DirectFixedEscaper(Config() with { BindIp = [IPAddress.Loopback, IPAddress.IPv6Loopback] }, _resolvers, connector);

        var result = await escaper.EscapeAsync(To("127.0.0.1", ListenPort), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        result.Socket!.Dispose();
        Assert.Equal(IPAddress.Loopback, result.BindIp);
        Assert.Equal(IPAddress.Loopback, result.BoundAddr!.Address);
    }

    [Fact]
    public async Task NoIpv4_IpTarget_ForbiddenByRule()
    {
        var escaper = new DirectFixedEscaper(Config() with { NoIpv4 = true }, _resolvers);
        var result = await escaper.EscapeAsync(To("127.0.0.1", ListenPort), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.ForbiddenByRule, result.Error);
    }

    [Fact]
    public async Task CallerCancellation_Honoured()
    {
        var escaper = new DirectFixedEscaper(Config(eachTimeoutMs: 30_000), _resolvers, new HangingConnector());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await escaper.EscapeAsync(To("127.0.0.1", 80), cts.Token));
    }

    [Fact]
    public async Task Factory_BuildsDirectAndDummy()
    {
        var direct = EscaperFactory.Create(Config(), _resolvers);
        var deny = EscaperFactory.Create(new DummyDenyEscaperConfig { Name = "deny", Position = Pos }, _resolvers);
        Assert.IsType<DirectFixedEscaper>(direct);
        var result = await deny.EscapeAsync(To("127.0.0.1", 80), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.EscaperNotUsable, result.Error);
    }

    /// <summary>IPv6 connects hang; IPv4 connects for real.</summary>
    private sealed class V6HangsConnector : ISocketConnector
    {
        public async ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct)
        {
            if (target.AddressFamily == AddressFamily.InterNetworkV6)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            return await SocketConnector.Instance.ConnectAsync(target, bindIp, ct);
        }
    }
}
