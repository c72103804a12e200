using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;

namespace Proxy.Tests.Config.Servers;

public sealed class StreamServerParserTests
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
    public void TcpStream_WeightedUpstreams_PickPolicy_TlsClient_TlsNameDefaultsToTheFirstHost()
    {
        var c = Assert.IsType<TcpStreamServerConfig>(Assert.Single(Load("""
              - name: s
                type: tcp_stream
                escaper: d
                listen: {address: "127.0.0.1:8443", backlog: 64, instance: 2}
                listen_in_worker: true
                proxy_pass:
                  - backend.example:443
                  - addr: 192.0.2.1:8443
                    weight: 2.5
                upstream_pick_policy: jump_hash
                tls_client: true
            """).Servers));
        Assert.Equal("TcpStream", c.TypeName);
        Assert.Equal([new Weighted<UpstreamAddr>(new UpstreamAddr("backend.example", 443)), new Weighted<UpstreamAddr>(new UpstreamAddr("192.0.2.1", 8443), 2.5)], c.Upstream);
        Assert.Equal(SelectivePickPolicy.JumpHash, c.UpstreamPickPolicy);
        Assert.NotNull(c.TlsClient);
        Assert.Equal("backend.example", c.UpstreamTlsName);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:8443"), c.Listen!.Address);
        Assert.Equal((64, 2), (c.Listen.Backlog, c.Listen.Instance));
        Assert.True(c.ListenInWorker);
    }

    [Fact]
    public void TcpStream_Refusals_NameTheKey()
    {
        Assert.Contains("missing required key 'upstream'", Refused("  - {name: s, type: tcp_stream, escaper: d}\n"));
        Assert.Contains("missing required key 'escaper'", Refused("  - {name: s, type: tcp_stream, upstream: 127.0.0.1:80}\n"));
        // g3: the port is always required
        Assert.Contains("'upstream'", Refused("  - {name: s, type: tcp_stream, escaper: d, upstream: backend.example}\n"));
        Assert.Contains("unknown key 'dst_port_filter'", Refused("  - {name: s, type: tcp_stream, escaper: d, upstream: 127.0.0.1:80, dst_port_filter: 80}\n"));
        Assert.Contains("user group is not set but auth is enabled", Refused("  - {name: s, type: tcp_stream, escaper: d, upstream: 127.0.0.1:80, auth_by_client_ip: true}\n"));
        // g3's tcp_stream has no server-ip match
        Assert.Contains("unknown key 'auth_by_server_ip'", Refused("  - {name: s, type: tcp_stream, escaper: d, upstream: 127.0.0.1:80, auth_by_server_ip: true}\n"));
        Assert.Contains("unknown pick policy", Refused("  - {name: s, type: tcp_stream, escaper: d, upstream: 127.0.0.1:80, upstream_pick_policy: nearest}\n"));
    }

    [Theory]
    [InlineData("tcp_stream", ", upstream: 127.0.0.1:80")]
    [InlineData("tcp_tproxy", ", listen: 127.0.0.1:0")]
    [InlineData("sni_proxy", "")]
    public void StreamServers_TakeTheAuditor(string type, string extra)
    {
        var c = Assert.Single(Load($"  - {{name: s, type: {type}, escaper: d, auditor: audit{extra}}}\n").Servers);
        Assert.Equal("audit", c.Auditor);
    }

    [Fact]
    public void SniProxy_OwnInspectionKeys_AndListenTransparent_AreRead()
    {
        var c = Assert.IsType<SniProxyServerConfig>(Assert.Single(Load("""
              - name: sni
                type: sni_proxy
                escaper: d
                listen_transparent: true
                listen: 127.0.0.1:15002
                protocol_inspection: { data0_buffer_size: 8KiB, data0_size_limit: { http_request_uri: 64 } }
                server_tcp_portmap: { 8443: https }
                client_tcp_portmap: [ { port: 7000, protocol: http } ]
            """).Servers));

        Assert.True(c.ListenTransparent);
        Assert.True(c.Listen!.Transparent); // whichever key came first
        Assert.Equal(8192, c.ProtocolInspection.Data0BufferSize);
        Assert.Equal(64, c.ProtocolInspection.Data0SizeLimit.HttpRequestUri);
        Assert.True(c.ServerTcpPortmap.Get(8443)!.CheckTls);
        Assert.Equal(["http"], c.ServerTcpPortmap.Get(8443)!.Protocols);
        Assert.NotNull(c.ServerTcpPortmap.Get(443)); // added to g3's defaults, not replacing them
        Assert.Equal(["http"], c.ClientTcpPortmap.Get(7000)!.Protocols);
        var plain = Assert.IsType<SniProxyServerConfig>(Assert.Single(Load("  - {name: n, type: sni_proxy, escaper: d, listen: 127.0.0.1:0}\n").Servers));
        Assert.False(plain.Listen!.Transparent);
        Assert.Contains("unrecognised protocol 'gopher'", Refused("  - {name: n, type: sni_proxy, escaper: d, server_tcp_portmap: {80: gopher}}\n"));
    }

    [Fact]
    public void AuthByFacts_SetsTheMatch_OnlyOneFlag_AndNeedsAGroup()
    {
        var s = Assert.IsType<TcpStreamServerConfig>(Assert.Single(Load("  - {name: s, type: tcp_stream, escaper: d, upstream: 127.0.0.1:80, user_group: f, auth_by_client_ip: true}\n").Servers));
        Assert.Equal(("f", FactsAuthMatch.ClientIp), (s.UserGroup, s.AuthMatch));
        var t = Assert.IsType<TcpTProxyServerConfig>(Assert.Single(Load("  - {name: t, type: tcp_tproxy, escaper: d, listen: 15001, user_group: f, auth_by_server_ip: true, auth_by_client_ip: false}\n").Servers));
        Assert.Equal(FactsAuthMatch.ServerIp, t.AuthMatch);
        var n = Assert.IsType<SniProxyServerConfig>(Assert.Single(Load("  - {name: n, type: sni_proxy, escaper: d, user_group: f, auth_by_server_name: true}\n").Servers));
        Assert.Equal(FactsAuthMatch.ServerName, n.AuthMatch);
        // a user_group without auth_by_*: loaded, nobody authenticated (as g3)
        Assert.Null(Assert.IsType<SniProxyServerConfig>(Assert.Single(Load("  - {name: n, type: sni_proxy, escaper: d, user_group: f}\n").Servers)).AuthMatch);

        Assert.Contains("only one of auth_by_client_ip, auth_by_server_ip can be enabled",
            Refused("  - {name: t, type: tcp_tproxy, escaper: d, listen: 15001, user_group: f, auth_by_client_ip: true, auth_by_server_ip: true}\n"));
        Assert.Contains("only one of auth_by_client_ip, auth_by_server_name can be enabled",
            Refused("  - {name: n, type: sni_proxy, escaper: d, user_group: f, auth_by_server_name: true, auth_by_client_ip: true}\n"));
        Assert.Contains("user group is not set but auth is enabled", Refused("  - {name: n, type: sni_proxy, escaper: d, auth_by_server_name: true}\n"));
    }

    [Fact]
    public void TlsStream_NeedsTlsServer()
    {
        Assert.Contains("missing required key 'tls_server'", Refused("  - {name: s, type: tls_stream, escaper: d, upstream: 127.0.0.1:80}\n"));
    }

    [Fact]
    public void TcpTProxy_NeedsListen_AndListensTransparently()
    {
        Assert.Contains("missing required key 'listen'", Refused("  - {name: t, type: tcp_tproxy, escaper: d}\n"));
        var c = Assert.IsType<TcpTProxyServerConfig>(Assert.Single(Load("  - {name: t, type: tcp_tproxy, escaper: d, listen: 15001}\n").Servers));
        Assert.True(c.Listen!.Transparent);
    }

    [Fact]
    public void SniProxy_AllowedHosts_ExactChildDefault_Redirects()
    {
        var c = Assert.IsType<SniProxyServerConfig>(Assert.Single(Load("""
              - name: sni
                type: sni_proxy
                escaper: d
                listen: "[::1]:0"
                tls_max_client_hello_size: 4096
                request_wait_timeout: 5s
                request_recv_timeout: 500ms
                allowed_hosts:
                  - exact_match: [www.example.net, example.net]
                    redirect_host: www.example.net
                  - child_match: example.org
                    redirect_port: 8443
                  - exact_match: 192.0.2.9
                    set_default: true
                    redirect_host: fallback.example
            """).Servers));
        Assert.Equal(4096, c.TlsMaxClientHelloSize);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500)), (c.RequestWaitTimeout, c.RequestRecvTimeout));
        var hosts = c.AllowedHosts!;
        Assert.Equal(new UpstreamAddr("www.example.net", 443), hosts.Get("EXAMPLE.net")!.Redirect(new UpstreamAddr("example.net", 443)));
        Assert.Equal(new UpstreamAddr("a.b.example.org", 8443), hosts.Get("a.b.example.org")!.Redirect(new UpstreamAddr("a.b.example.org", 443)));
        Assert.Equal("fallback.example", hosts.Get("192.0.2.9")!.RedirectHost);
        Assert.Equal("fallback.example", hosts.Get("other.example")!.RedirectHost);
    }

    [Fact]
    public void SniProxy_BadHostEntry_IsRefusedWithItsKey()
    {
        Assert.Contains("unknown key 'redirect_hots'", Refused("""
              - name: sni
                type: sni_proxy
                escaper: d
                allowed_hosts:
                  - exact_match: a.example
                    redirect_hots: b.example
            """));
        Assert.Contains("second default", Refused("""
              - name: sni
                type: sni_proxy
                escaper: d
                allowed_hosts:
                  - redirect_host: a.example
                  - redirect_host: b.example
            """));
    }
}
