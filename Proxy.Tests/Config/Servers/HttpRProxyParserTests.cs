using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Config.Servers;

public sealed class HttpRProxyParserTests
{
    private static ProxyConfig Load(string servers, IDictionary<string, string>? files = null)
    {
        using var dir = new TempConfigDir();
        foreach (var (name, text) in files ?? new Dictionary<string, string>()) dir.Write(name, text);
        var main = dir.Write("g3proxy.yaml", "resolver:\n  - name: r\n    type: c-ares\nescaper:\n  - name: d\n    type: direct_fixed\n    resolver: r\nserver:\n" + servers);
        return ConfigLoader.Load(main);
    }

    private static string Refused(string servers) => Assert.Throws<ConfigException>(() => Load(servers)).Message;

    [Fact]
    public void HttpGateway_HostsAndKeys_AreRead_AsG3Writes_Them()
    {
        using var certs = new TestCertificates();
        var (cert, key) = certs.Leaf("a.test");
        var c = Assert.IsType<HttpRProxyServerConfig>(Assert.Single(Load("""
              - name: gw
                type: http-gateway
                escaper: d
                listen: 127.0.0.1:8080
                server_id: gw-1
                append_forwarded_for: standard
                enable_tls_server: true
                client_hello_recv_timeout: 2s
                no_early_error_reply: true
                http_forward_upstream_keepalive: {idle_expire: 30s}
                global_tls_server: {certificate: a.pem, private_key: a.key}
                hosts:
                  - exact_match: [www.a.test, a.test]
                    upstream: 192.0.2.1
                    tls_server: {certificate: a.pem, private_key: a.key}
                  - child_match: b.test
                    set_default: true
                    upstream: origin.b.test:8443
                    tls_client: {}
                    tls_name: b.internal
                  - child_match: c.test
                    upstream: origin.c.test:443
                    tls_client: true
            """, new Dictionary<string, string> { ["a.pem"] = cert, ["a.key"] = key }).Servers));
        Assert.Equal("HttpRProxy", c.TypeName);
        Assert.Equal("g3proxy", c.AuthRealm);
        Assert.Equal("gw-1", c.ServerId);
        Assert.Equal(HttpForwardedHeaderType.Standard, c.AppendForwardedFor);
        Assert.True(c.EnableTlsServer);
        Assert.True(c.NoEarlyErrorReply);
        Assert.Equal(TimeSpan.FromSeconds(2), c.ClientHelloRecvTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), c.UpstreamKeepaliveIdleExpire);
        Assert.NotNull(c.GlobalTlsServer);

        var a = c.Hosts.Get("a.test")!;
        Assert.Same(a, c.Hosts.Get("www.a.test"));
        Assert.Equal(new UpstreamAddr("192.0.2.1", 80), a.Upstream);
        Assert.NotNull(a.TlsServer);
        Assert.Null(a.TlsClient);
        var b = c.Hosts.Get("x.b.test")!;
        Assert.Equal(new UpstreamAddr("origin.b.test", 8443), b.Upstream);
        Assert.NotNull(b.TlsClient);
        Assert.Equal("b.internal", b.TlsName);
        Assert.Same(b, c.Hosts.Get("unknown.test"));
        // g3: without tls_name the upstream's host is verified
        Assert.Equal("origin.c.test", c.Hosts.Get("www.c.test")!.TlsName);
    }

    [Theory]
    [InlineData("false", HttpForwardedHeaderType.None)]
    [InlineData("true", HttpForwardedHeaderType.Classic)]
    [InlineData("none", HttpForwardedHeaderType.None)]
    [InlineData("classic", HttpForwardedHeaderType.Classic)]
    [InlineData("rfc7239", HttpForwardedHeaderType.Standard)]
    public void AppendForwardedFor_TakesG3sNamesAndBools(string value, HttpForwardedHeaderType expected)
    {
        var c = (HttpRProxyServerConfig)Assert.Single(Load($"  - {{name: gw, type: http_rproxy, escaper: d, append_forwarded_for: {value}, hosts: {{upstream: 127.0.0.1}}}}\n").Servers);
        Assert.Equal(expected, c.AppendForwardedFor);
    }

    [Fact]
    public void SingleHostMap_IsTheDefault_AndDefaultsAreG3s()
    {
        var c = (HttpRProxyServerConfig)Assert.Single(Load("  - {name: gw, type: http_reverse_proxy, escaper: d, hosts: {upstream: '[::1]:8080'}}\n").Servers);
        Assert.Equal(new UpstreamAddr("::1", 8080), c.Hosts.Get("anything.test")!.Upstream);
        Assert.Equal(HttpForwardedHeaderType.Classic, c.AppendForwardedFor);
        Assert.False(c.EnableTlsServer);
        Assert.Equal(TimeSpan.FromSeconds(1), c.ClientHelloRecvTimeout);
    }

    [Fact]
    public void Refusals_NameTheKey()
    {
        Assert.Contains("missing required key 'hosts'", Refused("  - {name: gw, type: http_rproxy, escaper: d}\n"));
        Assert.Contains("missing required key 'escaper'", Refused("  - {name: gw, type: http_rproxy, hosts: {upstream: 127.0.0.1}}\n"));
        Assert.Contains("a host without 'upstream'", Refused("  - {name: gw, type: http_rproxy, escaper: d, hosts: {exact_match: a.test}}\n"));
        Assert.Contains("unknown key 'services'", Refused("  - {name: gw, type: http_rproxy, escaper: d, hosts: {exact_match: a.test, services: {upstream: x}}}\n"));
        Assert.Contains("append_forwarded_for", Refused("  - {name: gw, type: http_rproxy, escaper: d, append_forwarded_for: sometimes, hosts: {upstream: 127.0.0.1}}\n"));
        Assert.Contains("a second default host", Refused("  - {name: gw, type: http_rproxy, escaper: d, hosts: [{upstream: 127.0.0.1}, {upstream: 127.0.0.2}]}\n"));
    }
}
