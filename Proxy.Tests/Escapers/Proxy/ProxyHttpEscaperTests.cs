using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Escapers.Proxy;

public sealed class ProxyHttpEscaperTests
{
    private static readonly ConfigPosition Pos = new("escaper.yml", 1);
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    private static ProxyHttpEscaperConfig Config(params int[] ports) => new()
    {
        Name = "chain",
        Position = Pos,
        ProxyAddr = ports.Select(p => new Weighted<UpstreamAddr>(new UpstreamAddr("127.0.0.1", p))).ToList(),
    };

    private static TaskNotes Notes(string? user = null) => new()
    {
        ServerType = "HttpProxy",
        ServerName = "test",
        StartAt = DateTimeOffset.UtcNow,
        User = user,
        ClientAddr = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 40001),
        ServerAddr = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 3128),
    };

    private static EscapeRequest Tcp(string host, int port, string? user = null) =>
        new(Notes(user), new UpstreamAddr(host, port), EscapeWant.Tcp);

    private static EscapeRequest Forward(string host, int port) =>
        new(Notes(), new UpstreamAddr(host, port), EscapeWant.HttpForward) { Http = new HttpForwardOptions(true, TimeSpan.FromSeconds(30)) };

    private static string Basic(string user, string pass) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + pass));

    private static async Task<string> ReadSome(Stream s, int n)
    {
        var buf = new byte[n];
        var got = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (got < n)
        {
            var r = await s.ReadAsync(buf.AsMemory(got), cts.Token);
            if (r == 0) break;
            got += r;
        }
        return Encoding.Latin1.GetString(buf, 0, got);
    }

    [Fact]
    public async Task Tcp_SendsConnectWithBasicAuth_AndTheTunnelCarriesBytes()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = new ProxyHttpEscaper(Config(next.Port) with { ProxyUsername = "u1", ProxyPassword = "p:w" }, _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, next.Port), result.PeerAddr);
        var head = Assert.Single(next.Heads);
        Assert.StartsWith("CONNECT example.test:443 HTTP/1.1\r\n", head);
        Assert.Contains("\r\nHost: example.test:443\r\n", head);
        Assert.Contains($"\r\nProxy-Authorization: {Basic("u1", "p:w")}\r\n", head);
        await result.Stream!.WriteAsync("ping"u8.ToArray());
        Assert.Equal("ping", await ReadSome(result.Stream, 4));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task BindInterfaceAndTcpMiscOpts_AreOnTheSocketToTheNextProxy_UsersRemoteOptsAreNot()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        var opts = new TcpMiscSockOpts { NetfilterMark = 21, TimeToLive = 50 };
        using var viaLo = new ProxyHttpEscaper(Config(next.Port) with { BindInterface = "lo", TcpMiscOpts = opts }, _resolvers);
        using var viaMissing = new ProxyHttpEscaper(Config(next.Port) with { BindInterface = "nosuchif0" }, _resolvers);

        var ok = await viaLo.EscapeAsync(Tcp("origin.test", 80) with { UserTcpMiscOpts = new TcpMiscSockOpts { NetfilterMark = 99 } }, CancellationToken.None);
        var failed = await viaMissing.EscapeAsync(Tcp("origin.test", 80), CancellationToken.None);

        Assert.True(ok.Ok, ok.Reason);
        var buf = new byte[4];
        ok.Socket!.GetRawSocketOption(1, 36, buf);
        Assert.Equal(21, BitConverter.ToInt32(buf));
        ok.Socket.GetRawSocketOption(0, 2, buf);
        Assert.Equal(50, BitConverter.ToInt32(buf));
        await ok.DisposeUpstreamAsync();
        Assert.False(failed.Ok);
        Assert.Contains("bind_interface nosuchif0: no such interface", failed.Reason);
    }

    [Fact]
    public async Task Tcp_Ipv6Target_IsBracketedInConnect()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = new ProxyHttpEscaper(Config(next.Port), _resolvers);

        var result = await escaper.EscapeAsync(Tcp("2001:db8::1", 8443), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.StartsWith("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n", Assert.Single(next.Heads));
        await result.DisposeUpstreamAsync();
    }

    [Theory]
    [InlineData("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", EscapeErrorKind.PeerRefused, "407")]
    [InlineData("HTTP/1.1 403 Forbidden\r\n\r\n", EscapeErrorKind.PeerRefused, "403")]
    [InlineData("HTTP/1.1 504 Gateway Timeout\r\n\r\n", EscapeErrorKind.ConnectTimeout, "504")]
    [InlineData("SSH-2.0-not-http\r\n\r\n", EscapeErrorKind.PeerRefused, "invalid CONNECT reply")]
    public async Task Tcp_RefusingNextProxy_GivesTheStatusInTheReason(string reply, EscapeErrorKind kind, string inReason)
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo, reply);
        using var escaper = new ProxyHttpEscaper(Config(next.Port), _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(kind, result.Error);
        Assert.Contains(inReason, result.Reason);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, next.Port), result.PeerAddr);
    }

    [Fact]
    public async Task Tcp_BytesSentWithTheReply_AreTheFirstTheClientReads()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo, "HTTP/1.1 200 OK\r\n\r\n220 banner\r\n");
        using var escaper = new ProxyHttpEscaper(Config(next.Port), _resolvers);

        var result = await escaper.EscapeAsync(Tcp("mail.test", 25), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal("220 banner\r\n", await ReadSome(result.Stream!, 12));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task Tcp_SilentNextProxy_FailsAfterPeerNegotiationTimeout()
    {
        await using var next = new ScriptedProxy(ProxyAct.Silent);
        using var escaper = new ProxyHttpEscaper(Config(next.Port) with { PeerNegotiationTimeout = TimeSpan.FromMilliseconds(300) }, _resolvers);
        var sw = Stopwatch.StartNew();

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.ConnectTimeout, result.Error);
        Assert.Contains("peer_negotiation_timeout", result.Reason);
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Tcp_RefusedNextProxy_IsConnectRefused()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var escaper = new ProxyHttpEscaper(Config(port) with { TcpConnect = TcpConnectConfig.Default with { MaxRetry = 0 } }, _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.ConnectRefused, result.Error);
        Assert.Contains($"next proxy 127.0.0.1:{port}", result.Reason);
    }

    [Fact]
    public async Task PassProxyUserid_SendsTheClientsUserWithG3Password()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = new ProxyHttpEscaper(Config(next.Port) with { PassProxyUserid = true }, _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443, user: "alice"), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Contains($"\r\nProxy-Authorization: {Basic("alice", "g3proxy")}\r\n", Assert.Single(next.Heads));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task UseProxyProtocol1_WritesTheClientAndServerAddressesFirst()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = new ProxyHttpEscaper(Config(next.Port) with { UseProxyProtocol = 1 }, _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.StartsWith("PROXY TCP4 127.0.0.1 127.0.0.1 40001 3128\r\nCONNECT example.test:443 HTTP/1.1\r\n", Assert.Single(next.Heads));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task UseProxyProtocol2_WritesTheBinaryHeaderFirst()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = new ProxyHttpEscaper(Config(next.Port) with { UseProxyProtocol = 2 }, _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        var head = Encoding.Latin1.GetBytes(Assert.Single(next.Heads));
        Assert.Equal(new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12 }, head[..16]);
        Assert.Equal(new byte[] { 127, 0, 0, 1, 127, 0, 0, 1, 0x9C, 0x41, 0x0C, 0x38 }, head[16..28]);
        Assert.StartsWith("CONNECT example.test:443 ", Encoding.Latin1.GetString(head[28..]));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task HttpForward_LeaseIsAbsoluteForm_WithAuth_AndReusesOnePooledConnection()
    {
        await using var next = new ScriptedProxy(ProxyAct.Answer, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        using var escaper = new ProxyHttpEscaper(Config(next.Port) with { ProxyUsername = "u", ProxyPassword = "p" }, _resolvers);

        for (var i = 0; i < 3; i++)
        {
            var result = await escaper.EscapeAsync(Forward($"site{i}.test", 80), CancellationToken.None);
            Assert.True(result.Ok, result.Reason);
            var lease = result.Http!;
            Assert.True(lease.AbsoluteForm);
            Assert.Equal(i > 0, lease.Reused);
            Assert.Contains(new KeyValuePair<string, string>("Proxy-Authorization", Basic("u", "p")), lease.ExtraHeaders);
            await lease.Stream.WriteAsync(Encoding.ASCII.GetBytes($"GET http://site{i}.test/ HTTP/1.1\r\nHost: site{i}.test\r\n\r\n"));
            Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", await ReadSome(lease.Stream, 38));
            await lease.ReleaseAsync(reusable: true);
        }

        Assert.Equal(1, next.Accepted);
        Assert.Equal(3, next.Heads.Count);
    }

    [Fact]
    public async Task HttpsForward_WithoutForwardHttps_TunnelsAndDoesTlsItself()
    {
        var certs = new TestCertificates();
        await using var origin = await TestOrigin.StartAsync(certs);
        await using var next = new ScriptedProxy(ProxyAct.Tunnel);
        using var escaper = new ProxyHttpEscaper(Config(next.Port), _resolvers);
        var request = Forward("127.0.0.1", origin.HttpsPort) with { Tls = TlsClientConfig.Default with { CaCertificatePem = certs.CaPem } };

        var result = await escaper.EscapeAsync(request, CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.False(result.Http!.AbsoluteForm);
        Assert.IsType<System.Net.Security.SslStream>(result.Http.Stream);
        Assert.StartsWith($"CONNECT 127.0.0.1:{origin.HttpsPort} HTTP/1.1", Assert.Single(next.Heads));
        await result.Http.ReleaseAsync(reusable: false);
    }

    [Fact]
    public async Task HttpsForward_WithForwardHttps_GoesToTheNextProxyInAbsoluteForm()
    {
        await using var next = new ScriptedProxy(ProxyAct.Answer);
        using var escaper = new ProxyHttpEscaper(Config(next.Port) with { HttpForwardCapability = new HttpForwardCapability(ForwardHttps: true) }, _resolvers);
        var request = Forward("secure.test", 443) with { Tls = TlsClientConfig.Default };

        var result = await escaper.EscapeAsync(request, CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.True(result.Http!.AbsoluteForm);
        Assert.Empty(next.Heads);
        await result.Http.ReleaseAsync(reusable: false);
    }

    [Fact]
    public async Task ProxyHttps_TalksTlsToTheNextProxy_VerifiedAgainstTlsName()
    {
        var certs = new TestCertificates();
        await using var next = new ScriptedProxy(ProxyAct.Echo, certificate: certs.ServerCertificate);
        var config = Config(next.Port) with
        {
            Https = true,
            TlsClient = TlsClientConfig.Default with { CaCertificatePem = certs.CaPem, NoDefaultCaCertificate = true },
            TlsName = "localhost",
        };
        using var escaper = new ProxyHttpEscaper(config, _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.StartsWith("CONNECT example.test:443 HTTP/1.1", Assert.Single(next.Heads));
        await result.Stream!.WriteAsync("ping"u8.ToArray());
        Assert.Equal("ping", await ReadSome(result.Stream, 4));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task ProxyHttps_WrongTlsName_IsTlsHandshakeFailed()
    {
        var certs = new TestCertificates();
        await using var next = new ScriptedProxy(ProxyAct.Echo, certificate: certs.ServerCertificate);
        var config = Config(next.Port) with
        {
            Https = true,
            TlsClient = TlsClientConfig.Default with { CaCertificatePem = certs.CaPem, NoDefaultCaCertificate = true },
            TlsName = "not-the-proxy.test",
        };
        using var escaper = new ProxyHttpEscaper(config, _resolvers);

        var result = await escaper.EscapeAsync(Tcp("example.test", 443), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.TlsHandshakeFailed, result.Error);
        Assert.Contains("next proxy", result.Reason);
        Assert.Empty(next.Heads);
    }

    [Fact]
    public async Task Udp_IsNotSupported()
    {
        using var escaper = new ProxyHttpEscaper(Config(1), _resolvers);
        var result = await escaper.EscapeAsync(new EscapeRequest(Notes(), new UpstreamAddr("example.test", 53), EscapeWant.Udp), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.NotSupported, result.Error);
    }
}
