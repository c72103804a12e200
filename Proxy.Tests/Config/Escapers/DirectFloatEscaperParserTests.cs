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
