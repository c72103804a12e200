using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;

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
        Assert.Equal(TimeSpan.FromSeconds(60), c.TcpKeepalive?.IdleTime);
        Assert.Equal(Proxy.Actors.Config.Values.ResolveQuery.Ipv4Only, c.ResolveStrategy.Query);
    }

    [Theory]
    [InlineData("    bind_ip: 192.0.2.1\n", "unknown key 'bind_ip'")]
    [InlineData("    resolve_redirection: [{parent: a.example}]\n", "missing key 'to'")]
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
        Assert.Equal(TimeSpan.FromSeconds(60), c.TcpKeepalive?.IdleTime);
    }

    [Fact]
    public void ProxyFloat_RedisSource_AsUrlOrMap()
    {
        var url = Assert.IsType<ProxyFloatEscaperConfig>(Assert.Single(EscaperConfigLoad.Load(
            "  - name: pf\n    type: proxy_float\n    source: redis://u:p%40ss@10.0.0.5:6380/3?sets_key=peers&read_timeout=500ms\n").Escapers)).Redis!;
        Assert.Equal((new UpstreamAddr("10.0.0.5", 6380), 3L, "u", "p@ss", "peers"), (url.Addr, url.Db, url.Username, url.Password, url.SetsKey));
        Assert.Equal(TimeSpan.FromMilliseconds(500), url.ResponseTimeout);

        var map = Assert.IsType<ProxyFloatEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: pf
                type: proxy_float
                source:
                  type: redis
                  addr: redis.example
                  db: 1
                  sets_key: float-peers
                  connect_timeout: 1s
            """).Escapers)).Redis!;
        Assert.Equal((new UpstreamAddr("redis.example", 6379), 1L, "float-peers"), (map.Addr, map.Db, map.SetsKey));
        Assert.Equal(TimeSpan.FromSeconds(1), map.ConnectTimeout);
        Assert.Null(map.TlsClient);
    }

    [Fact]
    public void ProxyFloat_RedisSource_TlsClientAndTlsName()
    {
        var redis = Assert.IsType<ProxyFloatEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: pf
                type: proxy_float
                source:
                  type: redis
                  addr: 127.0.0.1:6380
                  sets_key: peers
                  tls_client: {min_tls_version: tls1.2, handshake_timeout: 3s}
                  tls_name: redis.test
            """).Escapers)).Redis!;

        Assert.Equal("tls1.2", redis.TlsClient!.MinTlsVersion);
        Assert.Equal(TimeSpan.FromSeconds(3), redis.TlsClient.HandshakeTimeout);
        Assert.Equal("redis.test", redis.TlsName);
    }

    [Theory]
    [InlineData("    source: redis://127.0.0.1:6379/0\n", "redis source: no sets_key set")]
    [InlineData("    source: rediss://127.0.0.1:6379/0?sets_key=peers\n", "unsupported url scheme: rediss")]
    [InlineData("    source: {type: redis, sets_key: peers, sets: x}\n", "unknown key 'sets'")]
    [InlineData("    source: redis://127.0.0.1/x?sets_key=peers\n", "the path should be a valid redis db number")]
    [InlineData("    source: {type: carrier_pigeon}\n", "unknown source 'carrier_pigeon'")]
    [InlineData("    proxy_addr: 10.0.0.1\n", "unknown key 'proxy_addr'")]
    public void Refusals(string keys, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: pf\n    type: proxy_float\n" + keys);
        Assert.Contains(message, e.Message);
    }
}
