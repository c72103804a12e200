using Proxy.Tests.Resolvers;
using Proxy.Tests.Resolvers.Hickory;

namespace Proxy.Tests.Integration;

/// <summary>
/// A node whose escaper resolves through fail_over: a c-ares primary that never answers, and a
/// hickory standby speaking DNS over TLS to a real unbound. Names resolve, and a name that does
/// not exist gives the client g3's 530 with the resolver's reason in the escape log.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class SecureDnsNodeTests : IAsyncLifetime
{
    private UnboundServer _unbound = null!;
    private readonly TestDnsServer _dead = new() { Silent = true };

    public async Task InitializeAsync() =>
        _unbound = await UnboundServer.StartAsync("web.example.test. 300 IN A 127.0.0.1");

    public async Task DisposeAsync()
    {
        await _unbound.DisposeAsync();
        await _dead.DisposeAsync();
    }

    private Task<ProxyUnderTest> StartProxy(string protocol, int port, string resolver = "fo") => ProxyUnderTest.StartAsync($"""
        log: stdout
        resolver:
          - name: dead
            type: c-ares
            server: 127.0.0.1:{_dead.EndPoint.Port}
            each_timeout: 5000
            each_tries: 1
          - name: secure
            type: hickory
            server: 127.0.0.1
            server_port: {port}
            encryption:
              protocol: {protocol}
              tls_name: localhost
              tls_client:
                ca_certificate: ca.pem
                no_default_ca_certificate: true
          - name: fo
            type: fail_over
            primary: dead
            standby: secure
            fallback_delay: 200ms
        escaper:
          - name: direct
            type: direct_fixed
            resolver: {resolver}
            resolve_strategy: IPv4Only
            egress_network_filter:
              default: allow
              allow: [127.0.0.1]
        server:
          - name: http
            type: http_proxy
            escaper: direct
            listen: 127.0.0.1:0
        """, new Dictionary<string, string> { ["ca.pem"] = _unbound.CaPem });

    [Theory]
    [InlineData("dns-over-tls")]
    [InlineData("dns-over-https")]
    public async Task NameResolvedByTheStandby_RequestServed(string protocol)
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartProxy(protocol, protocol == "dns-over-tls" ? _unbound.TlsPort : _unbound.HttpsPort);
        using var client = proxy.Client();

        var rsp = await client.GetAsync($"http://web.example.test:{origin.HttpPort}/hello");

        Assert.Equal(200, (int)rsp.StatusCode);
        Assert.Single(origin.Seen);
        Assert.True(_dead.Queries > 0, "the primary was asked first");
    }

    [Fact]
    public async Task MissingName_530_WithTheResolverReasonInTheEscapeLog()
    {
        // Straight to hickory: through fail_over a standby NXDOMAIN waits for the dead primary's
        // timeout (g3: with no success, the later error is the answer).
        await using var proxy = await StartProxy("dns-over-tls", _unbound.TlsPort, resolver: "secure");
        using var client = proxy.Client();

        var rsp = await client.GetAsync("http://missing.example.test/");

        Assert.Equal(530, (int)rsp.StatusCode);
        var task = await HttpErrorStatusTests.LogFor(proxy, 530);
        Assert.Contains("reason=UpstreamNotResolved", task);
        var escape = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Escape")));
        Assert.Contains("missing.example.test", escape);
        Assert.Contains("via 'secure'", escape);
        Assert.Contains("NXDOMAIN", escape);
    }
}
