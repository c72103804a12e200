using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Resolvers.Hickory;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Resolvers.Hickory;

/// <summary>The hickory resolver against a real unbound: plain DNS, DNS over TLS, DNS over HTTPS.</summary>
[Collection(NodeCollection.Name)]
public sealed class HickoryResolverTests : IAsyncLifetime
{
    private UnboundServer _unbound = null!;

    public async Task InitializeAsync() => _unbound = await UnboundServer.StartAsync(
        "a.example.test. 300 IN A 192.0.2.10",
        "a.example.test. 300 IN AAAA 2001:db8::10",
        "v4only.example.test. 300 IN A 192.0.2.11");

    public async Task DisposeAsync() => await _unbound.DisposeAsync();

    private HickoryResolver Resolver(DnsEncryptionProtocol? protocol, int port, TlsClientConfig? tls = null) => new(new HickoryResolverConfig
    {
        Name = "hickory",
        Position = new ConfigPosition("resolver.yml", 1),
        Servers = [IPAddress.Loopback],
        ServerPort = port,
        Encryption = protocol is { } p
            ? new DnsEncryptionConfig(p, "localhost", tls ?? new TlsClientConfig { CaCertificatePem = _unbound.CaPem, NoDefaultCaCertificate = true })
            : null,
        EachTimeout = TimeSpan.FromSeconds(5),
        RequestTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    private static async Task<(ResolveResult V4, ResolveResult V6)> Both(IResolver r, string host) =>
        (await r.ResolveAsync(host, AddressFamily.InterNetwork, CancellationToken.None),
         await r.ResolveAsync(host, AddressFamily.InterNetworkV6, CancellationToken.None));

    [Fact]
    public async Task PlainDns_Answers()
    {
        using var r = Resolver(null, _unbound.PlainPort);
        var (v4, v6) = await Both(r, "a.example.test");
        Assert.True(v4.Ok, v4.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], v4.Addresses);
        Assert.Equal([IPAddress.Parse("2001:db8::10")], v6.Addresses);
    }

    [Fact]
    public async Task DnsOverTls_Answers_AndKeepsGoingOnTheKeptConnection()
    {
        using var r = Resolver(DnsEncryptionProtocol.Tls, _unbound.TlsPort);
        var (v4, v6) = await Both(r, "a.example.test");
        Assert.True(v4.Ok, v4.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], v4.Addresses);
        Assert.Equal([IPAddress.Parse("2001:db8::10")], v6.Addresses);

        var again = await r.ResolveAsync("v4only.example.test", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal([IPAddress.Parse("192.0.2.11")], again.Addresses);
    }

    [Fact]
    public async Task DnsOverTls_NxdomainAndNoRecord()
    {
        using var r = Resolver(DnsEncryptionProtocol.Tls, _unbound.TlsPort);
        var missing = await r.ResolveAsync("missing.example.test", AddressFamily.InterNetwork, CancellationToken.None);
        var noAaaa = await r.ResolveAsync("v4only.example.test", AddressFamily.InterNetworkV6, CancellationToken.None);
        Assert.Equal(ResolveErrorKind.NotFound, missing.Error);
        Assert.Contains("NXDOMAIN", missing.Reason);
        Assert.Equal(ResolveErrorKind.NoRecord, noAaaa.Error);
    }

    [Fact]
    public async Task DnsOverTls_UntrustedCertificate_FailsWithTheReason()
    {
        // The system store does not know the test's CA.
        using var r = Resolver(DnsEncryptionProtocol.Tls, _unbound.TlsPort, TlsClientConfig.Default);
        var v4 = await r.ResolveAsync("a.example.test", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.False(v4.Ok);
        Assert.Contains("tls handshake failed", v4.Reason);
        Assert.Contains($"tls://127.0.0.1:{_unbound.TlsPort}", v4.Reason);
    }

    [Fact]
    public async Task DnsOverHttps_Answers()
    {
        // unbound serves DoH over HTTP/2 only, so an answer here means HTTP/2 was negotiated.
        using var r = Resolver(DnsEncryptionProtocol.Https, _unbound.HttpsPort);
        var (v4, v6) = await Both(r, "a.example.test");
        Assert.True(v4.Ok, v4.Reason + "\n" + _unbound.Log);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], v4.Addresses);
        Assert.Equal([IPAddress.Parse("2001:db8::10")], v6.Addresses);
        var missing = await r.ResolveAsync("missing.example.test", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(ResolveErrorKind.NotFound, missing.Error);
    }

    [Fact]
    public async Task DnsOverHttps_WrongTlsName_Refused()
    {
        using var r = new HickoryResolver(new HickoryResolverConfig
        {
            Name = "hickory",
            Position = new ConfigPosition("resolver.yml", 1),
            Servers = [IPAddress.Loopback],
            ServerPort = _unbound.HttpsPort,
            Encryption = new DnsEncryptionConfig(DnsEncryptionProtocol.Https, "dns.elsewhere.test",
                new TlsClientConfig { CaCertificatePem = _unbound.CaPem, NoDefaultCaCertificate = true }),
            EachTries = 1,
        });
        var v4 = await r.ResolveAsync("a.example.test", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.False(v4.Ok);
        Assert.Contains($"https://127.0.0.1:{_unbound.HttpsPort}/dns-query", v4.Reason);
    }
}
