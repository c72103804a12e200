using System.Net;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;

namespace Proxy.Tests.Config.Escapers;

public sealed class ProxySocks5EscaperParserTests
{
    [Fact]
    public void ProxySocks5_AllKeys_AsG3WritesThem()
    {
        var config = EscaperConfigLoad.Load("""
              - name: chain
                type: proxy_socks5
                proxy_addr:
                  - 10.0.0.1
                  - addr: proxy.example:1081
                    weight: 2
                proxy_addr_pick_policy: ketama
                proxy_username: u
                proxy_password: p
                resolver: r
                bind_ipv4: 192.0.2.1
                bind_ipv6: 2001:db8::1
                tcp_keepalive: 30s
                peer_negotiation_timeout: 3s
                tcp_sock_speed_limit: 10M
                udp_relay_speed_limit: {shift: 10, north_packets: 100}
                transmute_udp_peer_ip: {192.0.2.9: 198.51.100.9}
                end_on_control_closed: true
                tcp_connect: {max_retry: 1, each_timeout: 2s}
            """);
        var c = Assert.IsType<ProxySocks5EscaperConfig>(Assert.Single(config.Escapers));
        Assert.Equal("ProxySocks5", c.TypeName);
        Assert.Equal([new Weighted<UpstreamAddr>(new UpstreamAddr("10.0.0.1", 1080)), new Weighted<UpstreamAddr>(new UpstreamAddr("proxy.example", 1081), 2)], c.ProxyAddr);
        Assert.Equal(SelectivePickPolicy.Ketama, c.ProxyAddrPickPolicy);
        Assert.Equal(("u", "p"), (c.ProxyUsername, c.ProxyPassword));
        Assert.Equal(IPAddress.Parse("192.0.2.1"), c.BindIpv4);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), c.BindIpv6);
        Assert.Equal(TimeSpan.FromSeconds(30), c.TcpKeepalive?.IdleTime);
        Assert.Equal(TimeSpan.FromSeconds(3), c.PeerNegotiationTimeout);
        Assert.Equal(100, c.UdpSockSpeedLimit.MaxNorthPackets);
        Assert.Equal(IPAddress.Parse("198.51.100.9"), c.TransmuteUdpPeerIp![IPAddress.Parse("192.0.2.9")]);
        Assert.True(c.EndOnControlClosed);
        Assert.Equal(1, c.TcpConnect.MaxRetry);
        Assert.Null(c.TlsClient);
    }

    [Fact]
    public void ProxySocks5s_NeedsTlsClient_TakesTlsName_AndKeepaliveDefaultsTo60s()
    {
        var c = Assert.IsType<ProxySocks5EscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: chain
                type: proxy_socks5s
                proxy_addr: 127.0.0.1
                tls_client: {}
                tls_name: proxy.example
            """).Escapers));
        Assert.Equal("ProxySocks5s", c.TypeName);
        Assert.NotNull(c.TlsClient);
        Assert.Equal("proxy.example", c.TlsName);
        Assert.Equal(TimeSpan.FromSeconds(60), c.TcpKeepalive?.IdleTime);

        Assert.Contains(EscaperConfigLoad.Refused("  - {name: s, type: proxy_socks5s, proxy_addr: 127.0.0.1}").Errors, e => e.Key == "tls_client");
    }

    [Fact]
    public void Refusals_NameTheKey()
    {
        Assert.Contains(EscaperConfigLoad.Refused("  - {name: s, type: proxy_socks5}").Errors, e => e.Key == "proxy_addr");
        Assert.Contains(EscaperConfigLoad.Refused("  - {name: s, type: proxy_socks5, proxy_addr: proxy.example}").Errors, e => e.Key == "resolver");
        Assert.Contains(EscaperConfigLoad.Refused("  - {name: s, type: proxy_socks5, proxy_addr: 127.0.0.1, tls_name: x}").Errors, e => e.Key == "tls_name");
        Assert.Contains(EscaperConfigLoad.Refused("  - {name: s, type: proxy_socks5, proxy_addr: 127.0.0.1, http_forward_capability: {}}").Errors, e => e.Key == "http_forward_capability");
        Assert.Contains(EscaperConfigLoad.Refused("  - {name: s, type: proxy_socks5, proxy_addr: 127.0.0.1, udp_misc_opts: {ttl: 256}}").Errors,
            e => e.Key == "udp_misc_opts" && e.Message.Contains("ttl: 256 is out of range"));
    }
}
