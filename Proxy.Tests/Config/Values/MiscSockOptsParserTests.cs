using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Tests.Config.Escapers;

namespace Proxy.Tests.Config.Values;

/// <summary>g3's tcp/udp misc sock opts, tcp keepalive and listen keys, read from a config file.</summary>
public sealed class MiscSockOptsParserTests
{
    private static T Escaper<T>(string type, string keys) where T : EscaperConfig =>
        (T)Assert.Single(EscaperConfigLoad.Load($"  - name: e\n    type: {type}\n" + (type == "proxy_float" ? "" : "    resolver: r\n") + keys).Escapers);

    [Fact]
    public void TcpAndUdpOpts_AllKeysAndAliases_OnDirectFixed()
    {
        var c = Escaper<DirectFixedEscaperConfig>("direct_fixed", """
                tcp_misc_opts: {no_delay: false, mss: 1300, ttl: 60, hop_limit: 61, tos: 16, traffic_class: 32, congestion_control: reno, mark: 4294967295}
                udp_misc_opts: {time_to_live: 3, hop_limit: 4, type_of_service: 5, traffic_class: 6, netfilter_mark: 7}
                tcp_keepalive: {idle_time: 30s, probe_interval: 5s, probe_count: 3}
            """);

        Assert.Equal(new TcpMiscSockOpts
        {
            NoDelay = false, MaxSegmentSize = 1300, TimeToLive = 60, HopLimit = 61, TypeOfService = 16, TrafficClass = 32,
            CongestionControl = "reno", NetfilterMark = uint.MaxValue,
        }, c.TcpMiscOpts);
        Assert.Equal(new UdpMiscSockOpts { TimeToLive = 3, HopLimit = 4, TypeOfService = 5, TrafficClass = 6, NetfilterMark = 7 }, c.UdpMiscOpts);
        Assert.Equal(new TcpKeepaliveConfig(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 3), c.TcpKeepalive);
    }

    [Fact]
    public void ChainingEscapers_BindInterfaceAndTcpOpts()
    {
        var http = Escaper<ProxyHttpEscaperConfig>("proxy_http", "    proxy_addr: 127.0.0.1\n    bind_interface: lo\n    tcp_misc_opts: {mark: 3}\n");
        var socks = Escaper<ProxySocks5EscaperConfig>("proxy_socks5", "    proxy_addr: 127.0.0.1\n    udp_misc_opts: {ttl: 9}\n");
        var fl = Escaper<ProxyFloatEscaperConfig>("proxy_float", "    bind_interface: lo\n    tcp_misc_opts: {ttl: 7}\n");

        Assert.Equal(("lo", 3u), (http.BindInterface, http.TcpMiscOpts.NetfilterMark!.Value));
        Assert.Equal(9, socks.UdpMiscOpts.TimeToLive);
        Assert.Equal(("lo", 7), (fl.BindInterface, fl.TcpMiscOpts.TimeToLive!.Value));
    }

    [Theory]
    [InlineData("tcp_misc_opts: {ttl: 256}", "tcp_misc_opts", "ttl: 256 is out of range [0, 255]")]
    [InlineData("tcp_misc_opts: {congestion_control: ''}", "tcp_misc_opts", "congestion_control: invalid congestion control algorithm")]
    [InlineData("tcp_misc_opts: {nodelay: true}", "tcp_misc_opts", "unknown key 'nodelay'")]
    [InlineData("udp_misc_opts: {mss: 1000}", "udp_misc_opts", "unknown key 'mss'")]
    [InlineData("udp_misc_opts: 5", "udp_misc_opts", "expected a udp misc sock opts map")]
    [InlineData("tcp_keepalive: {probe_count: 0}", "tcp_keepalive", "out of range")]
    [InlineData("bind_interface: 4000000", "bind_interface", "no network interface has index 4000000")]
    public void BadValues_RefusedNamingTheKey(string line, string key, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: e\n    type: direct_fixed\n    resolver: r\n    " + line + "\n");

        var error = Assert.Single(e.Errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ListenMap_InterfaceKeepaliveMssMark_AndAliases()
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", """
            resolver: [{name: r, type: c-ares}]
            escaper: [{name: d, type: direct_fixed, resolver: r}]
            server:
              - name: s
                type: http_proxy
                escaper: d
                tcp_misc_opts: {mark: 11}
                listen: {address: 127.0.0.1:0, interface: 1, keepalive: {idle_time: 30s, probe_interval: 5s}, mss: 1000, fwmark: 13, ipv6only: false, instance_count: 2}
            """);

        var s = Assert.Single(Proxy.Actors.Config.ConfigLoader.Load(main).Servers);
        var listen = s.Listen!;

        Assert.Equal(11u, s.TcpMiscOpts.NetfilterMark);
        Assert.Equal("lo", listen.Interface);
        Assert.Equal(new TcpKeepaliveConfig(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), listen.Keepalive);
        Assert.Equal((1000, 13u, 2), (listen.MaxSegmentSize!.Value, listen.NetfilterMark!.Value, listen.Instance));
    }

    [Fact]
    public void Resolver_HickoryKeys()
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", """
            resolver:
              - {name: h, type: hickory, server: 127.0.0.1, bind_interface: lo, tcp_misc_opts: {mss: 1000}, udp_misc_opts: {ttl: 9}}
            """);

        var h = (HickoryResolverConfig)Assert.Single(Proxy.Actors.Config.ConfigLoader.Load(main).Resolvers);

        Assert.Equal(("lo", 1000, 9), (h.BindInterface, h.TcpMiscOpts.MaxSegmentSize!.Value, h.UdpMiscOpts.TimeToLive!.Value));
    }
}
