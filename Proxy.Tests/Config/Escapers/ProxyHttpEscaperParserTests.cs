using System.Net;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;

namespace Proxy.Tests.Config.Escapers;

public sealed class ProxyHttpEscaperParserTests
{
    [Fact]
    public void ProxyHttp_AllKeys_AsG3WritesThem()
    {
        var config = EscaperConfigLoad.Load("""
              - name: chain
                type: proxy_http
                proxy_addr:
                  - 10.0.0.1
                  - addr: proxy.example:8080
                    weight: 2.5
                proxy_addr_pick_policy: rr
                proxy_user: u
                proxy_passwd: p
                resolver: r
                bind_ipv4: 192.0.2.1
                bind_ipv6: 2001:db8::1
                tcp_keepalive: 30s
                peer_negotiation_timeout: 3s
                http_forward_capability:
                  forward_https: true
                  forward_ftp: true
                http_connect_rsp_header_max_size: 8KiB
                use_proxy_protocol: 2
                tcp_sock_speed_limit: 10M
            """);
        var c = Assert.IsType<ProxyHttpEscaperConfig>(Assert.Single(config.Escapers));
        Assert.Equal("ProxyHttp", c.TypeName);
        Assert.Equal([new Weighted<UpstreamAddr>(new UpstreamAddr("10.0.0.1", 3128)), new Weighted<UpstreamAddr>(new UpstreamAddr("proxy.example", 8080), 2.5)], c.ProxyAddr);
        Assert.Equal(SelectivePickPolicy.RoundRobin, c.ProxyAddrPickPolicy);
        Assert.Equal(("u", "p"), (c.ProxyUsername, c.ProxyPassword));
        Assert.Equal(IPAddress.Parse("192.0.2.1"), c.BindIpv4);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), c.BindIpv6);
        Assert.Equal(TimeSpan.FromSeconds(30), c.TcpKeepalive?.IdleTime);
        Assert.Equal(TimeSpan.FromSeconds(3), c.PeerNegotiationTimeout);
        Assert.Equal(new HttpForwardCapability(true, true, true, true), c.HttpForwardCapability);
        Assert.Equal(8192, c.HttpConnectRspHeaderMaxSize);
        Assert.Equal(2, c.UseProxyProtocol);
    }

    [Fact]
    public void ProxyHttps_NeedsTlsClient_AndTakesTlsName()
    {
        var c = Assert.IsType<ProxyHttpEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: chain
                type: proxy_https
                proxy_addr: 10.0.0.1:8443
                tls_client: {}
                tls_name: proxy.example
            """).Escapers));
        Assert.Equal("ProxyHttps", c.TypeName);
        Assert.NotNull(c.TlsClient);
        Assert.Equal("proxy.example", c.TlsName);

        var e = EscaperConfigLoad.Refused("  - name: chain\n    type: proxy_https\n    proxy_addr: 10.0.0.1\n");
        Assert.Contains("missing required key 'tls_client'", e.Message);
    }

    [Theory]
    [InlineData("    resolver: r\n", "missing required key 'proxy_addr'")]
    [InlineData("    proxy_addr: proxy.example\n", "missing required key 'resolver'")]
    [InlineData("    proxy_addr: 10.0.0.1\n    proxy_username: u\n    pass_proxy_userid: true\n", "pass_proxy_userid conflicts with proxy_username")]
    [InlineData("    proxy_addr: 10.0.0.1\n    no_ipv4: true\n", "no_ipv4 is set but proxy_addr 10.0.0.1:3128 is IPv4")]
    [InlineData("    proxy_addr: 10.0.0.1\n    use_proxy_protocol: 3\n", "use_proxy_protocol")]
    [InlineData("    proxy_addr: 10.0.0.1\n    proxy_addr_pick_policy: fastest\n", "unknown pick policy 'fastest'")]
    [InlineData("    proxy_addr: 10.0.0.1\n    http_forward_capability: {forward_smtp: true}\n", "unknown key 'forward_smtp'")]
    [InlineData("    proxy_addr: 10.0.0.1\n    bind_ipv4: '::1'\n", "is not an IPv4 address")]
    [InlineData("    proxy_addr: 10.0.0.1\n    tls_name: x\n", "unknown key 'tls_name'")]
    [InlineData("    proxy_addr: 10.0.0.1\n    tcp_misc_opts: {mss: 70000}\n", "mss: 70000 is out of range [0, 65535]")]
    public void Refusals_NameTheKey(string keys, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: chain\n    type: proxy_http\n" + keys);
        Assert.Contains("escaper 'chain'", e.Message);
        Assert.Contains(message, e.Message);
    }
}
