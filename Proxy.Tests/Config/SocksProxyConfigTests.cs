using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;

namespace Proxy.Tests.Config;

public sealed class SocksProxyConfigTests
{
    private const string Escaper = """
        resolver:
          - name: r
            type: c-ares
        escaper:
          - name: d
            type: direct_fixed
            resolver: r
        """;

    private static SocksProxyServerConfig Load(string serverKeys)
    {
        using var dir = new TempConfigDir();
        var keys = string.Join("\n", serverKeys.Split('\n').Select(l => "    " + l));
        var config = ConfigLoader.Load(dir.Write("g3proxy.yaml", Escaper + "\nserver:\n  - name: s\n    type: socks_proxy\n    escaper: d\n" + keys + "\n"));
        return Assert.IsType<SocksProxyServerConfig>(Assert.Single(config.Servers));
    }

    private static ConfigException Refused(string serverKeys)
    {
        using var dir = new TempConfigDir();
        var keys = string.Join("\n", serverKeys.Split('\n').Select(l => "    " + l));
        return Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir.Write("g3proxy.yaml", Escaper + "\nserver:\n  - name: s\n    type: socks_proxy\n    escaper: d\n" + keys + "\n")));
    }

    [Fact]
    public void Defaults_AreG3s()
    {
        var c = Load("listen: 127.0.0.1:1080");
        Assert.False(c.UseUdpAssociate);
        Assert.Equal(TimeSpan.FromSeconds(4), c.NegotiationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), c.UdpClientInitialTimeout);
        Assert.Equal(4096, c.UdpRelayPacketSize);
        Assert.Null(c.TransmuteUdpEchoIp);
        Assert.Null(c.UdpBindPortRange);
        Assert.True(c.UdpSockSpeedLimit.Bytes.IsUnlimited);
    }

    [Fact]
    public void EveryKey_AndTheAliases_AreRead()
    {
        var c = Load("""
            enable_udp_associate: true
            negotiation_timeout: 2s
            udp_client_initial_timeout: 500ms
            udp_bind_ipv4: [127.0.0.1, 127.0.0.2]
            udp_bind_ipv6: '::1'
            udp_bind_port_range: {start: 20000, end: 20010}
            udp_socket_buffer: 512K
            auto_reply_local_ip_map: {192.168.0.1: 203.0.113.9}
            udp_relay_speed_limit: {shift_millis: 8, north_bytes: 10K, south_packets: 100}
            udp_relay_packet_size: 100K
            udp_relay_batch_size: 16
            """);
        Assert.True(c.UseUdpAssociate);
        Assert.Equal(TimeSpan.FromSeconds(2), c.NegotiationTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), c.UdpClientInitialTimeout);
        Assert.Equal([IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2")], c.UdpBindIpv4);
        Assert.Equal([IPAddress.IPv6Loopback], c.UdpBindIpv6);
        Assert.Equal((20000, 20010), c.UdpBindPortRange);
        Assert.Equal(512_000, c.UdpSocketBuffer!.Recv); // g3 sizes: K = 1000, Ki = 1024
        Assert.Equal(512_000, c.UdpSocketBuffer.Send);
        Assert.Equal(IPAddress.Parse("203.0.113.9"), c.TransmuteUdpEchoIp![IPAddress.Parse("192.168.0.1")]);
        Assert.Equal(8, c.UdpSockSpeedLimit.ShiftMillis);
        Assert.Equal(10_000, c.UdpSockSpeedLimit.MaxNorthBytes);
        Assert.Equal(100, c.UdpSockSpeedLimit.MaxSouthPackets);
        Assert.Equal(64 * 1024, c.UdpRelayPacketSize); // g3 clamps to 64K
    }

    [Fact]
    public void TransmuteTrue_IsAnEmptyMap_PortRangeString_SpeedLimitSize()
    {
        var c = Load("transmute_udp_echo_ip: true\nudp_bind_port_range: ' 30000 - 30100 '\nudp_sock_speed_limit: 1M\nudp_relay_packet_size: 100");
        Assert.Empty(c.TransmuteUdpEchoIp!);
        Assert.Equal((30000, 30100), c.UdpBindPortRange);
        Assert.Equal(1_000_000, c.UdpSockSpeedLimit.MaxNorthBytes);
        Assert.Equal(512, c.UdpRelayPacketSize);
    }

    [Fact]
    public void UserGroup_IsRead()
    {
        Assert.Equal("staff", Load("user_group: staff").UserGroup);
    }

    [Fact]
    public void UsernameParams_AreRead_WithG3sSocksPort()
    {
        var up = Load("username_params: {keys_for_host: [region], socks_port: 2080}").UsernameParams!;
        Assert.Equal(["region"], up.KeysForHost);
        Assert.Equal(2080, up.Socks5Port);
    }

    [Fact]
    public void BadValues_UnknownKeys_AndUnbuiltKeys_AreRefusedByName()
    {
        Assert.Contains(Refused("udp_bind_ipv4: ['::1']").Errors, e => e.Key == "udp_bind_ipv4");
        Assert.Contains(Refused("udp_bind_port_range: 200-100").Errors, e => e.Key == "udp_bind_port_range");
        Assert.Contains(Refused("udp_socket_buffer: {rcv: 1K}").Errors, e => e.Key == "udp_socket_buffer");
        Assert.Contains(Refused("use_udp_connect: true").Errors, e => e.Key == "use_udp_connect" && e.Message.Contains("unknown key"));
        Assert.Contains(Refused("udp_misc_opts: {tos: x}").Errors, e => e.Key == "udp_misc_opts" && e.Message.Contains("tos: expected a u8"));
        Assert.Contains(Refused("username_params: {keys_for_host: [a], floating_keys: [b]}").Errors, e => e.Key == "username_params" && e.Message.Contains("floating key 'b'"));
    }
}
