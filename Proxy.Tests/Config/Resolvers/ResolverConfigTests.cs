using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Resolvers;

namespace Proxy.Tests.Config.Resolvers;

/// <summary>hickory and fail_over read with g3's keys; what G3Actors cannot do is refused with the reason.</summary>
public sealed class ResolverConfigTests
{
    private static ProxyConfig Load(string yaml, IDictionary<string, string>? files = null)
    {
        using var dir = new TempConfigDir();
        if (files is not null) foreach (var (name, text) in files) dir.Write(name, text);
        return ConfigLoader.Load(dir.Write("g3proxy.yaml", yaml));
    }

    private static ConfigException Refused(string yaml) => Assert.Throws<ConfigException>(() => Load(yaml));

    [Fact]
    public void Hickory_EveryKey()
    {
        var r = Assert.IsType<HickoryResolverConfig>(Assert.Single(Load("""
            resolver:
              - name: h
                type: hickory
                server: "192.0.2.1 2001:db8::1"
                server_port: 8853
                encryption:
                  protocol: dot
                  tls_name: dns.test
                  tls_client:
                    no_default_ca_certificate: true
                    handshake_timeout: 3s
                connect_timeout: 2s
                request_timeout: 3s
                each_timeout: 4s
                retry_attempts: 3
                retry_interval: 500ms
                bind_ip: 127.0.0.1
                positive_min_ttl: 60
                positive_max_ttl: 600
                negative_ttl: 10
                graceful_stop_wait: 1s
                protective_query_timeout: 20s
            """).Resolvers));

        Assert.Equal([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1")], r.Servers);
        Assert.Equal(8853, r.Port);
        Assert.Equal(new DnsEncryptionConfig(DnsEncryptionProtocol.Tls, "dns.test", r.Encryption!.TlsClient), r.Encryption);
        Assert.True(r.Encryption.TlsClient.NoDefaultCaCertificate);
        Assert.Equal(TimeSpan.FromSeconds(3), r.Encryption.TlsClient.HandshakeTimeout);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)), (r.ConnectTimeout, r.RequestTimeout, r.EachTimeout));
        Assert.Equal((3, TimeSpan.FromMilliseconds(500)), (r.EachTries, r.RetryInterval));
        Assert.Equal(IPAddress.Loopback, r.BindIp);
        Assert.Equal((60, 600, 10), (r.PositiveMinTtl, r.PositiveMaxTtl, r.NegativeMinTtl));
        Assert.Equal(TimeSpan.FromSeconds(20), r.ProtectiveQueryTimeout);
    }

    [Theory]
    [InlineData("encryption: dns.test", "Tls", 853)]
    [InlineData("encryption: {protocol: dns-over-https, tls_name: dns.test}", "Https", 443)]
    [InlineData("encrypt: {protocol: DoH, tls_name: 127.0.0.1}", "Https", 443)]
    [InlineData("server_port: 5353", null, 5353)]
    [InlineData("positive_min_ttl: 100", null, 53)]
    public void Hickory_EncryptionAndDefaultPort(string extra, string? protocol, int port)
    {
        var r = Assert.IsType<HickoryResolverConfig>(Assert.Single(
            Load($"resolver: [{{name: h, type: hickory, server: [192.0.2.1], {extra}}}]\n").Resolvers));
        Assert.Equal(protocol, r.Encryption?.Protocol.ToString());
        Assert.Equal(port, r.Port);
        Assert.True(r.PositiveMaxTtl >= r.PositiveMinTtl);
    }

    [Theory]
    [InlineData("dns-over-quic", "not supported yet: encryption protocol 'dns-over-quic' (DNS over QUIC: System.Net.Quic needs libmsquic")]
    [InlineData("doh3", "not supported yet: encryption protocol 'doh3' (DNS over HTTP/3: System.Net.Quic needs libmsquic")]
    [InlineData("dns-over-h3", "not supported yet: encryption protocol 'dns-over-h3' (DNS over HTTP/3: System.Net.Quic needs libmsquic")]
    [InlineData("dns-over-carrier-pigeon", "expected dns-over-tls, dns-over-https")]
    public void Hickory_QuicProtocols_RefusedWithTheReason(string protocol, string message)
    {
        var e = Refused($"resolver: [{{name: h, type: hickory, server: 192.0.2.1, encryption: {{protocol: {protocol}, tls_name: x}}}}]\n");
        Assert.Contains(message, e.Message);
        Assert.Contains("g3proxy.yaml:1: resolver 'h'", e.Message);
    }

    [Theory]
    [InlineData("server_port: 53", "missing required key 'server'")]
    [InlineData("server: dns.example", "expected an IP address")]
    [InlineData("server: 192.0.2.1\n    encryption: {protocol: dot}", "missing required key 'tls_name'")]
    [InlineData("server: 192.0.2.1\n    encryption: {tls_name: x, tls_client: {min_tls_version: tls1.2}}", "unknown key 'min_tls_version'")]
    [InlineData("server: 192.0.2.1\n    udp_misc_opts: {hop_limit: -1}", "hop_limit: -1 is out of range")]
    [InlineData("server: 192.0.2.1\n    each_timeout_ms: 1", "unknown key 'each_timeout_ms'")]
    public void Hickory_BadKeys_Refused(string body, string message)
    {
        var e = Refused($"resolver:\n  - name: h\n    type: hickory\n    {body}\n");
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void FailOver_Keys()
    {
        var r = Assert.IsType<FailOverResolverConfig>(Load("""
            resolver:
              - {name: a, type: c-ares}
              - {name: b, type: deny_all}
              - name: f
                type: fail_over
                primary: a
                standby: b
                fallback_delay: 250ms
                retry_empty_record: true
                protective_query_timeout: 5s
            """).Resolvers[2]);
        Assert.Equal(("a", "b", TimeSpan.FromMilliseconds(250), true), (r.Primary, r.Standby, r.FallbackDelay, r.RetryEmptyRecord));
        Assert.Equal(TimeSpan.FromSeconds(5), r.ProtectiveQueryTimeout);
    }

    [Fact]
    public void FailOver_Loop_RefusedNamingTheCycle()
    {
        var e = Refused("""
            resolver:
              - {name: dns, type: c-ares}
              - {name: outer, type: fail_over, primary: inner, standby: dns}
              - {name: inner, type: fail_over, primary: dns, standby: outer}
            """);
        Assert.Contains("resolver loop: outer -> inner -> outer", e.Message);
        Assert.Single(e.Errors);
    }

    [Theory]
    [InlineData("{name: f, type: fail_over, primary: a, standby: a}", "primary and standby are the same resolver 'a'")]
    [InlineData("{name: f, type: fail_over, primary: a}", "missing required key 'standby'")]
    [InlineData("{name: f, type: fail_over, primary: a, standby: b, positive_min_ttl: 3}", "unknown key 'positive_min_ttl'")]
    public void FailOver_BadEntries_Refused(string entry, string message)
    {
        var e = Refused($"resolver:\n  - {{name: a, type: c-ares}}\n  - {{name: b, type: c-ares}}\n  - {entry}\n");
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void FailOver_MissingMember_WarnsActsAsDenyAll()
    {
        var config = Load("resolver: [{name: a, type: c-ares}, {name: f, type: fail_over, primary: a, standby: gone}]\n");
        Assert.Contains(config.Warnings, w => w.Message.Contains("resolver 'gone' not found, acts as deny_all"));
    }

    [Fact]
    public void G3Example_ResolverFailOver_LoadsWithoutErrors()
    {
        var dir = Path.Combine(G3ExamplesTests.FindExamplesRoot()!, "resolver_fail_over");
        var config = ConfigLoader.Load(dir);
        var f = Assert.Single(config.Resolvers.OfType<FailOverResolverConfig>());
        Assert.Equal(("alidns", "dnspod"), (f.Primary, f.Standby));
    }
}
