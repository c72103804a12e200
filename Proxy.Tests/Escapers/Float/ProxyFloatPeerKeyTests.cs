using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Float;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Escapers.Proxy;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Escapers.Float;

/// <summary>
/// proxy_float's per-peer keys (g3's proxy_float.rst, Peers): tcp_sock_speed_limit for every peer, and for
/// socks5 peers udp_sock_speed_limit, transmute_udp_peer_ip and end_on_control_closed, which act as the
/// proxy_socks5 escaper keys of the same names.
/// </summary>
public sealed class ProxyFloatPeerKeyTests
{
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    private ProxyFloatEscaper Escaper(TimeProvider? time = null, TcpSockSpeedLimit? escaperLimit = null) =>
        new(new ProxyFloatEscaperConfig
        {
            Name = "pfloat",
            Position = new ConfigPosition("escaper.yml", 1),
            TcpSockSpeedLimit = escaperLimit ?? TcpSockSpeedLimit.Unlimited,
        }, _resolvers, time: time);

    private static EscapeRequest Udp() =>
        new(TestTasks.Notes(), new UpstreamAddr("127.0.0.1", 5353), EscapeWant.Udp);

    private static string Socks(int port, string extra) => $$"""{"type": "socks5", "addr": "127.0.0.1:{{port}}"{{extra}}}""";

    /// <summary>One datagram through the relay and its echo back, or null when none came within the wait.</summary>
    private static async Task<string?> EchoAsync(IUdpUpstream udp, string text, int waitMs = 10_000)
    {
        var sent = await udp.SendToAsync(new UpstreamAddr("127.0.0.1", 5353), Encoding.ASCII.GetBytes(text), CancellationToken.None);
        if (!sent.Ok) return null;
        using var wait = new CancellationTokenSource(waitMs);
        var buffer = new byte[256];
        try
        {
            var got = await udp.ReceiveAsync(buffer, wait.Token);
            return Encoding.ASCII.GetString(buffer, 0, got.Count);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    [Fact]
    public async Task TcpSockSpeedLimit_OfThePeer_IsTheUpstreamLimit_OthersKeepTheEscapers()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = Escaper(escaperLimit: new TcpSockSpeedLimit(10, 5000, 5000));
        Assert.True(escaper.Publish($$$"""
            [{"type": "http", "addr": "127.0.0.1:{{{next.Port}}}", "id": "slow", "tcp_sock_speed_limit": {"shift_millis": 8, "upload": 1000, "download": "2K"}},
             {"type": "http", "addr": "127.0.0.1:{{{next.Port}}}", "id": "plain"}]
            """).Ok);

        async Task<TcpSockSpeedLimit> LimitOf(string id)
        {
            var request = TestTasks.Tcp("example.test", 443);
            request.Task.UserEgressPath = EgressPathSelection.FromUser(new Dictionary<string, string> { ["pfloat"] = id }, new Dictionary<string, string>());
            var result = await escaper.EscapeAsync(request, CancellationToken.None);
            Assert.True(result.Ok, result.Reason);
            await result.DisposeUpstreamAsync();
            return result.SpeedLimit;
        }

        Assert.Equal(new TcpSockSpeedLimit(8, 1000, 2000), await LimitOf("slow"));
        Assert.Equal(new TcpSockSpeedLimit(10, 5000, 5000), await LimitOf("plain"));
    }

    [Theory]
    [InlineData("""{"192.0.2.1": "127.0.0.1"}""")]
    [InlineData("true")]
    public async Task TransmuteUdpPeerIp_SendsToTheRealRelay(string transmute)
    {
        await using var next = new ScriptedSocks5Proxy { UdpReplyIp = IPAddress.Parse("192.0.2.1") };
        using var escaper = Escaper();
        Assert.True(escaper.Publish(Socks(next.Port, $", \"transmute_udp_peer_ip\": {transmute}")).Ok);

        var result = await escaper.EscapeAsync(Udp(), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal("ping", await EchoAsync(result.Udp!, "ping"));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task WithoutTransmute_TheNamedRelayIpIsUsed_AndNothingComesBack()
    {
        await using var next = new ScriptedSocks5Proxy { UdpReplyIp = IPAddress.Parse("192.0.2.1") };
        using var escaper = Escaper();
        Assert.True(escaper.Publish(Socks(next.Port, "")).Ok);

        var result = await escaper.EscapeAsync(Udp(), CancellationToken.None);

        // the host may have no route to 192.0.2.1 (the socket's connect fails) or send into the void
        if (result.Ok) Assert.Null(await EchoAsync(result.Udp!, "ping", waitMs: 500));
        else Assert.Contains("'s relay: ", result.Reason);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task EndOnControlClosed_EndsTheRelay_WhenTheProxyClosesControl()
    {
        await using var next = new ScriptedSocks5Proxy { CloseUdpControl = true };
        using var escaper = Escaper();
        Assert.True(escaper.Publish(Socks(next.Port, ", \"end_on_control_closed\": true")).Ok);

        var result = await escaper.EscapeAsync(Udp(), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var ended = await Assert.ThrowsAsync<SocketException>(async () => await result.Udp!.ReceiveAsync(new byte[64], wait.Token));
        Assert.Contains("closed the UDP control connection", ended.Message);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task WithoutEndOnControlClosed_TheRelayGoesOn_BeforeAnyDatagramCameBack()
    {
        await using var next = new ScriptedSocks5Proxy { CloseUdpControl = true };
        using var escaper = Escaper();
        Assert.True(escaper.Publish(Socks(next.Port, ", \"end_on_control_closed\": false")).Ok);

        var result = await escaper.EscapeAsync(Udp(), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal("ping", await EchoAsync(result.Udp!, "ping"));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task UdpSockSpeedLimit_HoldsTheSecondDatagram_UntilTheNextSlice()
    {
        var clock = new ManualTimeProvider();
        await using var next = new ScriptedSocks5Proxy();
        using var escaper = Escaper(clock);
        Assert.True(escaper.Publish(Socks(next.Port, ", \"udp_sock_speed_limit\": {\"shift_millis\": 10, \"upload_packets\": 1}")).Ok);
        var result = await escaper.EscapeAsync(Udp(), CancellationToken.None);
        Assert.True(result.Ok, result.Reason);
        var target = new UpstreamAddr("127.0.0.1", 5353);

        Assert.True((await result.Udp!.SendToAsync(target, "a"u8.ToArray(), CancellationToken.None)).Ok);
        var second = result.Udp.SendToAsync(target, "b"u8.ToArray(), CancellationToken.None).AsTask();
        await Task.Delay(300);
        Assert.False(second.IsCompleted);

        // the limiter's timer may be set just after an advance: keep moving the clock until it fires
        Assert.True(await Eventually.True(() =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(1100));
            return second.IsCompleted;
        }));
        Assert.True((await second).Ok);
        await result.DisposeUpstreamAsync();
    }

    [Theory]
    [InlineData("udp_sock_speed_limit", "1000")]
    [InlineData("transmute_udp_peer_ip", "true")]
    [InlineData("end_on_control_closed", "true")]
    public void SocksOnlyKeys_OnAnHttpPeer_AreRefused(string key, string value)
    {
        using var escaper = Escaper();

        var refused = escaper.Publish($$"""{"type": "http", "addr": "127.0.0.1:3128", "{{key}}": {{value}}}""");

        Assert.False(refused.Ok);
        Assert.Contains($"peer key '{key}' is for socks5 peers", refused.Message);
    }

    [Fact]
    public void BadPeerKeyValue_IsRefused_NamingTheKey()
    {
        using var escaper = Escaper();

        var refused = escaper.Publish("""{"type": "socks5", "addr": "127.0.0.1:1080", "transmute_udp_peer_ip": {"nope": "127.0.0.1"}}""");

        Assert.False(refused.Ok);
        Assert.Contains("'transmute_udp_peer_ip'", refused.Message);
    }
}
