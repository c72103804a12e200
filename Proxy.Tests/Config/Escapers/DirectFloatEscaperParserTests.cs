using Proxy.Actors.Config.Escapers;

namespace Proxy.Tests.Config.Escapers;

public sealed class DirectFloatEscaperParserTests
{
    [Fact]
    public void DirectFloat_TakesCacheFiles_AndKeepalive60sByDefault()
    {
        var c = Assert.IsType<DirectFloatEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: float
                type: direct_dynamic
                resolver: r
                cache_ipv4: v4.json
                cache_ipv6: /var/cache/v6.json
                no_ipv6: true
            """).Escapers));
        Assert.Equal("DirectFloat", c.TypeName);
        Assert.EndsWith("v4.json", c.CacheIpv4);
        Assert.True(Path.IsPathRooted(c.CacheIpv4));
        Assert.Equal("/var/cache/v6.json", c.CacheIpv6);
        Assert.Equal(TimeSpan.FromSeconds(60), c.TcpKeepalive);
        Assert.Equal(Proxy.Actors.Config.Values.ResolveQuery.Ipv4Only, c.ResolveStrategy.Query);
    }

    [Theory]
    [InlineData("    bind_ip: 192.0.2.1\n", "unknown key 'bind_ip'")]
    [InlineData("    resolve_redirection: {}\n", "not supported yet: resolve_redirection")]
    [InlineData("", "missing required key 'resolver'")]
    public void Refusals(string keys, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: float\n    type: direct_float\n" + keys);
        Assert.Contains(message, e.Message);
    }
}

public sealed class ProxyFloatEscaperParserTests
{
    [Fact]
    public void ProxyFloat_PassiveSource_AndItsKeys()
    {
        var c = Assert.IsType<ProxyFloatEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: pf
                type: proxy_dynamic
                source: passive
                cache: peers.json
                refresh_interval: 2s
                tls_client: true
                tcp_connect_timeout: 5s
                expire_guard_duration: 10s
                peer_negotiation_timeout: 3s
            """).Escapers));
        Assert.Equal("ProxyFloat", c.TypeName);
        Assert.EndsWith("peers.json", c.Cache);
        Assert.NotNull(c.TlsClient);
        Assert.Equal(TimeSpan.FromSeconds(5), c.TcpConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), c.ExpireGuardDuration);
        Assert.Equal(TimeSpan.FromSeconds(60), c.TcpKeepalive);
    }

    [Theory]
    [InlineData("    source: redis://127.0.0.1:6379/0?sets_key=peers\n", "not supported yet: source type redis")]
    [InlineData("    source: {type: redis, sets_key: peers}\n", "not supported yet: source type redis")]
    [InlineData("    source: {type: carrier_pigeon}\n", "unknown source 'carrier_pigeon'")]
    [InlineData("    proxy_addr: 10.0.0.1\n", "unknown key 'proxy_addr'")]
    public void Refusals(string keys, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: pf\n    type: proxy_float\n" + keys);
        Assert.Contains(message, e.Message);
    }
}
