using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Audit.CertAgent;
using Proxy.Actors.Audit.CertGen;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Tests.Audit.CertGen;

/// <summary>The generator and the node's agent talking over loopback UDP, as an operator runs them.</summary>
public sealed class CertGenLoopbackTests : IAsyncLifetime
{
    private readonly TestCa _ca = new();
    private CertGenServer _server = null!;
    private TlsCertAgent _agent = null!;

    public Task InitializeAsync()
    {
        _server = CertGenServer.Start(_ca.Config(), TimeProvider.System, TextWriter.Null, out var error) ?? throw new InvalidOperationException(error);
        _agent = new TlsCertAgent(new CertAgentConfig { QueryPeerAddr = _server.LocalEndPoint }, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
        _ca.Dispose();
    }

    private static string? SanText(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault() is { } san
            ? string.Join(",", san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(i => i.ToString())))
            : null;

    [Fact]
    public async Task DomainHost_LeafChainsToCa_SanAndCnAreTheHost_KeyIsP256()
    {
        var result = await _agent.FetchAsync("www.example.com");

        Assert.True(result.Ok, result.Error);
        var leaf = result.Cert!.Leaf;
        Assert.True(_ca.Chains(leaf));
        Assert.Equal("www.example.com", SanText(leaf));
        Assert.Equal("www.example.com", leaf.GetNameInfo(X509NameType.SimpleName, false));
        Assert.True(leaf.HasPrivateKey);
        using var ec = leaf.GetECDsaPublicKey();
        Assert.Equal(256, ec!.KeySize);
        Assert.True(leaf.MatchesHostname("www.example.com"));
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(),
            o => o.Value == "1.3.6.1.5.5.7.3.1");
        // the CA is appended to the chain the generator sends
        Assert.Equal(_ca.Certificate.Thumbprint, Assert.Single(result.Cert.Chain).Thumbprint);
    }

    [Fact]
    public async Task IpHost_SanIsTheIpAddress()
    {
        var v4 = await _agent.FetchAsync("192.0.2.7");
        var v6 = await _agent.FetchAsync("2001:db8::1");

        Assert.True(v4.Ok, v4.Error);
        Assert.Equal("192.0.2.7", SanText(v4.Cert!.Leaf));
        Assert.True(v6.Ok, v6.Error);
        Assert.Equal("2001:db8::1", SanText(v6.Cert!.Leaf));
        Assert.True(_ca.Chains(v6.Cert.Leaf));
    }

    [Fact]
    public async Task Serials_AreDistinctPerCertificate()
    {
        var serials = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var r = await _agent.FetchAsync($"host{i}.example.net");
            Assert.True(r.Ok, r.Error);
            serials.Add(r.Cert!.Leaf.SerialNumber);
            // 128 random bits with the top bit set (as g3): DER needs a 0x00 sign byte in front
            Assert.Equal(17, r.Cert.Leaf.SerialNumberBytes.Length);
        }
        Assert.Equal(20, serials.Count);
    }

    [Fact]
    public async Task RepeatedHost_IsAnsweredFromTheAgentCache_WithoutAQuery()
    {
        Assert.Null(_agent.TryGetCached("cached.example.org"));
        var first = await _agent.FetchAsync("cached.example.org");
        var second = await _agent.FetchAsync("cached.example.org");

        Assert.True(first.Ok && second.Ok);
        Assert.Same(first.Cert, second.Cert);
        Assert.Same(first.Cert, _agent.TryGetCached("cached.example.org"));
        Assert.Null(_agent.TryGetCached("cached.example.org", TlsServiceType.Smtp)); // the service is part of g3's key
        Assert.Equal(1, _agent.QueriesSent);
        Assert.Equal(1, _server.Minted);
    }

    [Fact]
    public async Task RepeatedHost_FromAnotherAgent_IsAnsweredFromTheGeneratorCache()
    {
        await using var other = new TlsCertAgent(new CertAgentConfig { QueryPeerAddr = _server.LocalEndPoint }, TimeProvider.System);

        var a = await _agent.FetchAsync("shared.example.org");
        var b = await other.FetchAsync("shared.example.org");

        Assert.True(a.Ok && b.Ok);
        Assert.Equal(a.Cert!.Leaf.SerialNumber, b.Cert!.Leaf.SerialNumber);
        Assert.Equal(1, _server.Minted);
        Assert.Equal(1, _server.CacheHits);
    }

    [Fact]
    public async Task ConcurrentFetches_OfOneHost_ShareOneQuery()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _agent.FetchAsync("burst.example.org")));

        Assert.All(results, r => Assert.True(r.Ok, r.Error));
        Assert.Equal(1, _agent.QueriesSent);
    }

    [Fact]
    public async Task MimicRequest_CopiesSubjectSansAndValidity_RsaUpstreamGetsRsaLeaf_SerialIsNew()
    {
        var now = DateTimeOffset.UtcNow;
        var notBefore = now.AddDays(-10).AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var notAfter = notBefore.AddDays(90);
        using var upstream = TestCa.Upstream("CN=shop.example.com, O=Example Shop Ltd, C=NL",
            ["shop.example.com", "www.shop.example.com"], notBefore, notAfter, rsa: true, serial: [0x01, 0x23, 0x45, 0x67]);

        var result = await _agent.FetchAsync("shop.example.com", upstream.RawData);

        Assert.True(result.Ok, result.Error);
        var leaf = result.Cert!.Leaf;
        Assert.True(_ca.Chains(leaf));
        Assert.Equal(upstream.SubjectName.Name, leaf.SubjectName.Name);
        Assert.Equal("shop.example.com,www.shop.example.com", SanText(leaf));
        Assert.Equal(notBefore.UtcDateTime, leaf.NotBefore.ToUniversalTime());
        Assert.Equal(notAfter.UtcDateTime, leaf.NotAfter.ToUniversalTime());
        Assert.NotNull(leaf.GetRSAPublicKey());
        Assert.NotEqual(upstream.SerialNumber, leaf.SerialNumber);
        Assert.Equal(_ca.Certificate.SubjectName.Name, leaf.IssuerName.Name);
    }

    [Fact]
    public async Task ExpiredMimicCertificate_IsNotAnswered_AgentReportsWhy()
    {
        await using var agent = new TlsCertAgent(new CertAgentConfig
        {
            QueryPeerAddr = _server.LocalEndPoint, QueryWaitTimeout = TimeSpan.FromMilliseconds(300),
        }, TimeProvider.System);
        using var expired = TestCa.Upstream("CN=old.example.com", ["old.example.com"],
            DateTimeOffset.UtcNow.AddDays(-100), DateTimeOffset.UtcNow.AddDays(-1), rsa: false, serial: [9]);

        var result = await agent.FetchAsync("old.example.com", expired.RawData);

        Assert.False(result.Ok);
        Assert.Contains("no answer", result.Error);
        Assert.True(await Resolvers.Eventually.True(() => _server.Dropped == 1));
    }

    /// <summary>One raw exchange, as g3proxy's agent sends it, to read the TTL the generator reports.</summary>
    internal static async Task<CertGenResponse> ExchangeAsync(IPEndPoint server, CertGenRequest request)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(server);
        await udp.SendAsync(CertGenCodec.EncodeRequest(request));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var got = await udp.ReceiveAsync(cts.Token);
        return CertGenCodec.DecodeResponse(got.Buffer, out var error) ?? throw new InvalidDataException(error);
    }

    [Fact]
    public async Task MaxTtl_CapsTheReportedTtl_AndTheAgentCapsItToMaximumCacheTtl()
    {
        var fresh = await ExchangeAsync(_server.LocalEndPoint, new CertGenRequest("ttl.example.com", TlsServiceType.Http, TlsCertUsage.TlsServer, null));
        Assert.Equal((uint)24 * 3600, fresh.Ttl); // a year of validity, cut to the default max_ttl of one day
        Assert.Equal("ttl.example.com", fresh.Host);

        await using var shortTtl = CertGenServer.Start(_ca.Config(c => c with { MaxTtl = 600 }), TimeProvider.System, TextWriter.Null, out var error)
                                   ?? throw new InvalidOperationException(error);
        var capped = await ExchangeAsync(shortTtl.LocalEndPoint, new CertGenRequest("ttl.example.com", TlsServiceType.Smtp, TlsCertUsage.TlsServer, null));
        Assert.Equal(600u, capped.Ttl);
        Assert.Equal(TlsServiceType.Smtp, capped.Service);

        // the mimic's remaining validity is the TTL when it is shorter than max_ttl
        using var soon = TestCa.Upstream("CN=soon.example.com", ["soon.example.com"], DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddSeconds(400), rsa: false, serial: [7]);
        var mimic = await ExchangeAsync(shortTtl.LocalEndPoint, new CertGenRequest("soon.example.com", TlsServiceType.Http, TlsCertUsage.TlsServer, soon.RawData));
        Assert.InRange(mimic.Ttl, 390u, 400u);
    }

    [Fact]
    public async Task KeepSerial_CopiesTheUpstreamSerial()
    {
        await using var keeping = CertGenServer.Start(_ca.Config(c => c with { KeepSerial = true }), TimeProvider.System, TextWriter.Null, out var error)
                                  ?? throw new InvalidOperationException(error);
        await using var agent = new TlsCertAgent(new CertAgentConfig { QueryPeerAddr = keeping.LocalEndPoint }, TimeProvider.System);
        using var upstream = TestCa.Upstream("CN=keep.example.com", ["keep.example.com"], DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(30), rsa: false, serial: [0x0A, 0xBC, 0xDE, 0xF0, 0x12]);

        var result = await agent.FetchAsync("keep.example.com", upstream.RawData);

        Assert.True(result.Ok, result.Error);
        Assert.Equal(upstream.SerialNumber, result.Cert!.Leaf.SerialNumber);
        Assert.True(_ca.Chains(result.Cert.Leaf));
    }

    [Fact]
    public async Task RsaCa_AndRsaKeyType_MintRsaLeavesThatChain()
    {
        using var rsaCa = new TestCa(rsa: true);
        await using var server = CertGenServer.Start(rsaCa.Config(c => c with { KeyType = CertKeyType.Rsa2048 }), TimeProvider.System, TextWriter.Null, out var error)
                                 ?? throw new InvalidOperationException(error);
        await using var agent = new TlsCertAgent(new CertAgentConfig { QueryPeerAddr = server.LocalEndPoint }, TimeProvider.System);

        var result = await agent.FetchAsync("rsa.example.com");

        Assert.True(result.Ok, result.Error);
        using var rsa = result.Cert!.Leaf.GetRSAPublicKey();
        Assert.Equal(2048, rsa!.KeySize);
        Assert.True(rsaCa.Chains(result.Cert.Leaf));
        Assert.False(_ca.Chains(result.Cert.Leaf));
    }

    [Fact]
    public void MismatchedCaKey_IsRefusedAtStart()
    {
        using var other = new TestCa();
        var server = CertGenServer.Start(_ca.Config(c => c with { CaPrivateKeyPem = other.KeyPem }), TimeProvider.System, TextWriter.Null, out var error);

        Assert.Null(server);
        Assert.Contains("does not match", error);
    }
}
