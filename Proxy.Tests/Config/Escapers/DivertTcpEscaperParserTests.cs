using System.Net;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;

namespace Proxy.Tests.Config.Escapers;

public sealed class DivertTcpEscaperParserTests
{
    [Fact]
    public void DivertTcp_TakesTheNextHopKeys()
    {
        var c = Assert.IsType<DivertTcpEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: divert
                type: divert_tcp
                proxy_addr: [10.0.0.1, {addr: "proxy.example:8080", weight: 2}]
                proxy_addr_pick_policy: ketama
                resolver: r
                bind_ipv4: 192.0.2.1
                tcp_keepalive: 30s
                tcp_sock_speed_limit: 10M
            """).Escapers));
        Assert.Equal("DivertTcp", c.TypeName);
        Assert.Equal("r", c.Resolver);
        Assert.Equal(new UpstreamAddr("10.0.0.1", 3128), c.NextHop.ProxyAddr[0].Value);
        Assert.Equal(SelectivePickPolicy.Ketama, c.NextHop.ProxyAddrPickPolicy);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), c.NextHop.BindIpv4);
        Assert.Equal(TimeSpan.FromSeconds(30), c.NextHop.TcpKeepalive?.IdleTime);
    }

    [Theory]
    [InlineData("    resolver: r\n", "missing required key 'proxy_addr'")]
    [InlineData("    proxy_addr: proxy.example\n", "missing required key 'resolver'")]
    [InlineData("    proxy_addr: 10.0.0.1\n    proxy_username: u\n", "unknown key 'proxy_username'")]
    [InlineData("    proxy_addr: 10.0.0.1\n    use_proxy_protocol: 2\n", "unknown key 'use_proxy_protocol'")]
    [InlineData("    proxy_addr: 10.0.0.1\n    bind_interface: a/b\n", "invalid interface name 'a/b'")]
    public void Refusals_NameTheEntryAndKey(string keys, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: divert\n    type: divert_tcp\n" + keys);
        Assert.Contains("escaper 'divert'", e.Message);
        Assert.Contains(message, e.Message);
    }
}
