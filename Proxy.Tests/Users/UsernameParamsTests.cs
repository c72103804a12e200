using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Users;
using Proxy.Tests.Config;

namespace Proxy.Tests.Users;

/// <summary>g3's username_params grammar, with the cases of g3's own tests (config/auth/user/name_params.rs).</summary>
public sealed class UsernameParamsTests
{
    private static UsernameParamsConfig Load(string body)
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", $"""
            resolver:
              - name: r
                type: c-ares
            escaper:
              - name: d
                type: direct_fixed
                resolver: r
            server:
              - name: http
                type: http_proxy
                escaper: d
                username_params:
            {body}
            """);
        return Assert.IsType<HttpProxyServerConfig>(Assert.Single(ConfigLoader.Load(main).Servers)).UsernameParams!;
    }

    private static string Refused(string body) => Assert.Throws<ConfigException>(() => Load(body)).Message;

    [Fact]
    public void Aliases_AndDefaults_AsG3ReadsThem()
    {
        var c = Load("""
                  keys: [a, b, c]
                  floating: [c]
                  require_hierarchy: false
                  reject_unknown_keys: false
                  reject_duplicate_keys: false
                  separator: ":"
                  suffix: "svc.local"
                  http_port: 20000
                  socks_port: 20001
                  auth_strip_suffix: false
            """);
        Assert.Equal(["a", "b", "c"], c.KeysForHost);
        Assert.Equal(["c"], c.FloatingKeys);
        Assert.False(c.RequireHierarchy || c.RejectUnknownKeys || c.RejectDuplicateKeys || c.StripSuffixForAuth);
        Assert.Equal((":", ".svc.local", 20000, 20001), (c.Separator, c.DomainSuffix, c.HttpPort, c.Socks5Port));

        var d = Load("      keys_for_host: [x]");
        Assert.Equal((10000, 10001, "-", true), (d.HttpPort, d.Socks5Port, d.Separator, d.StripSuffixForAuth));
    }

    [Fact]
    public void FloatingKeyOutsideKeysForHost_AndUnknownKey_AreRefusedAtLoad()
    {
        Assert.Contains("floating key 'b' must be listed in keys_for_host", Refused("      keys_for_host: [a]\n      floating_keys: [b]"));
        Assert.Contains("unknown key 'domain_sufix'", Refused("      keys_for_host: [a]\n      domain_sufix: x"));
    }

    [Fact]
    public void DerivedHost_UsesTheInboundProtocolsPort_AndTheStickyKey()
    {
        var c = Load("""
                  keys_for_host: [label1, label2]
                  domain-suffix: example.net
                  resolve_sticky_key: label3
                  http_port: 8080
                  socks_port: 1080
            """);
        Assert.Equal(new EgressUpstream(new UpstreamAddr("foo-bar.example.net", 8080), ""), c.ParseEgressUpstream("test+label1=foo+label2=bar", c.HttpPort).Upstream);
        Assert.Equal(1080, c.ParseEgressUpstream("test+label1=foo+label2=bar", c.Socks5Port).Upstream!.Addr.Port);
        Assert.Equal("data", c.ParseEgressUpstream("test+label1=foo+label2=bar+label3=data", 80).Upstream!.ResolveStickyKey);
        Assert.Equal("test", c.RealUsername("test+label1=foo"));
        // no params, or only the sticky key: no override
        Assert.Null(c.ParseEgressUpstream("test", 80).Upstream);
        Assert.True(c.ParseEgressUpstream("test", 80).Ok);
        Assert.Null(c.ParseEgressUpstream("test+label3=x", 80).Upstream);
    }

    [Fact]
    public void Refusals_UnknownDuplicateMissingAncestorAndMalformed()
    {
        var c = Load("      keys_for_host: [label1, label2]");
        Assert.Contains("duplicate key", c.ParseEgressUpstream("t+label1=foo+label2=bar+label2=foo", 80).Error);
        Assert.Contains("unknown username param", c.ParseEgressUpstream("t+label9=x", 80).Error);
        Assert.Contains("requires its ancestor keys", c.ParseEgressUpstream("t+label2=bar", 80).Error);
        Assert.Contains("no '='", c.ParseEgressUpstream("t+label1", 80).Error);
        Assert.Contains("empty field", c.ParseEgressUpstream("t+label1=", 80).Error);
        Assert.Contains("no '='", c.ParseEgressUpstream("t++label1=a", 80).Error);
        // a trailing '+' is not a param
        Assert.Equal("a", c.ParseEgressUpstream("t+label1=a+", 80).Upstream!.Addr.Host);

        var lax = Load("      keys_for_host: [label1, label2]\n      reject_duplicate_keys: false\n      reject_unknown_keys: false\n      require_hierarchy: false");
        Assert.Equal("foo-foo", lax.ParseEgressUpstream("t+label1=foo+label2=bar+label2=foo", 80).Upstream!.Addr.Host);
        Assert.Equal("bar", lax.ParseEgressUpstream("t+label2=bar+other=1", 80).Upstream!.Addr.Host);
    }

    [Fact]
    public void FloatingKey_MayComeWithoutItsAncestors_Localhost_MapsToLoopback()
    {
        var c = Load("      keys_for_host: [region, zone, pool]\n      floating_keys: [pool]");
        Assert.Equal("p1", c.ParseEgressUpstream("u+pool=p1", 80).Upstream!.Addr.Host);
        Assert.Contains("requires its ancestor", c.ParseEgressUpstream("u+zone=z", 80).Error);
        Assert.Equal("127.0.0.1", c.ParseEgressUpstream("u+region=localhost", 80).Upstream!.Addr.Host);
        Assert.Equal("127.0.0.1", c.ParseEgressUpstream("u+region=edge.localhost", 80).Upstream!.Addr.Host);
    }

    [Fact]
    public void PathSelection_NumberIds_MapAsG3Does()
    {
        var p = new EgressPathSelection();
        p.SetNumberId("e", 0);
        Assert.Equal(2, p.SelectNumberId("e", 3));
        p.SetNumberId("e", 2);
        Assert.Equal(1, p.SelectNumberId("e", 3));
        p.SetNumberId("e", 5);
        Assert.Equal(1, p.SelectNumberId("e", 3));
        Assert.Null(p.SelectNumberId("other", 3));
    }
}
