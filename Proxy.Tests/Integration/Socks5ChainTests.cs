using System.Net;
using System.Text;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Socks;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// Node A (http_proxy and socks_proxy) chains through node B (socks_proxy with a user group) with
/// proxy_socks5, and with proxy_socks5s through a TLS door in front of B with a CA the test makes.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class Socks5ChainTests
{
    /// <summary>B: a socks_proxy whose user root/toor may go anywhere on loopback; names resolve through <paramref name="dns"/>.</summary>
    private static string NodeB(TestDnsServer dns) =>
        SocksProxyTests.SocksYaml(dns, "user_group: staff") + $"""

        user_group:
          - name: staff
            static_users:
              - name: root
                token: {HttpProxyUserTests.RootToken}
        """;

    private static string NodeA(int port, string password = "toor", bool tls = false) => $"""
        log: stdout
        escaper:
          - name: chain
            type: {(tls ? "proxy_socks5s" : "proxy_socks5")}
            proxy_addr: 127.0.0.1:{port}
            proxy_username: root
            proxy_password: {password}
            peer_negotiation_timeout: 10s
        {(tls ? "    tls_client: {ca_certificate: ca.pem, no_default_ca_certificate: true}\n    tls_name: localhost" : "")}
        server:
          - name: http
            type: http_proxy
            escaper: chain
            listen: 127.0.0.1:0
          - name: socks
            type: socks_proxy
            escaper: chain
            listen: 127.0.0.1:0
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CurlThroughA_HttpAndSocks_ReachTheOriginThroughB_WithNamesResolvedByB(bool tls)
    {
        using var certs = new TestCertificates();
        await using var dns = new TestDnsServer();
        dns.SetA("origin.test", 60, "127.0.0.1");
        await using var origin = await TestOrigin.StartAsync(certs);
        await using var b = await ProxyUnderTest.StartAsync(NodeB(dns));
        await using var door = new FrontDoor(b.Endpoint("socks"), tls ? certs.ServerCertificate : null);
        await using var a = await ProxyUnderTest.StartAsync(NodeA(door.Port, tls: tls), new Dictionary<string, string> { ["ca.pem"] = certs.CaPem });

        var (code, body, err) = await SocksProxyTests.Curl($"-x {a.ProxyUri()} http://origin.test:{origin.HttpPort}/hello");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        (code, body, err) = await SocksProxyTests.Curl($"-k -x {a.ProxyUri()} https://origin.test:{origin.HttpsPort}/hello");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        (code, body, err) = await SocksProxyTests.Curl($"--socks5-hostname {a.Endpoint("socks")} http://origin.test:{origin.HttpPort}/hello");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);

        // B saw the name (ATYP 3), logged in as root, and resolved it itself.
        var atB = await b.WaitForLogAsync(l => l.Contains("server_name=socks") && l.Contains("user=root") && l.Contains($"upstream=origin.test:"), count: 3);
        Assert.Equal(3, atB.Length);
        var atA = await a.WaitForLogAsync(l => l.Contains("escaper=chain") && l.Contains("task_type=HttpForward"));
        Assert.Contains($"next_peer_addr=127.0.0.1:{door.Port}", Assert.Single(atA));
    }

    /// <summary>
    /// A's socks_proxy with username_params: the RFC 1929 username names B (socks5_port) instead of the
    /// escaper's dead proxy_addr, A authenticates the base name, and bad params get 0x02 and the close.
    /// </summary>
    [Fact]
    public async Task UsernameParams_OnSocks_PickTheNextProxy()
    {
        await using var dns = new TestDnsServer();
        dns.SetA("origin.test", 60, "127.0.0.1");
        await using var origin = await TestOrigin.StartAsync();
        await using var b = await ProxyUnderTest.StartAsync(NodeB(dns));
        await using var a = await ProxyUnderTest.StartAsync($"""
            log: stdout
            escaper:
              - name: chain
                type: proxy_socks5
                proxy_addr: 127.0.0.1:1
                proxy_username: root
                proxy_password: toor
            server:
              - name: socks
                type: socks_proxy
                escaper: chain
                listen: 127.0.0.1:0
                user_group: staff
                username_params:
                  keys_for_host: [region]
                  socks5_port: {b.Endpoint("socks").Port}
            user_group:
              - name: staff
                static_users:
                  - name: root
                    token: {HttpProxyUserTests.RootToken}
            """);

        var (code, body, err) = await SocksProxyTests.Curl($"--socks5-hostname {a.Endpoint("socks")} -U root+region=localhost:toor http://origin.test:{origin.HttpPort}/hello");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var atA = Assert.Single(await a.WaitForLogAsync(l => l.Contains("escaper=chain") && l.Contains("user=root ")));
        Assert.Contains($"chain:upstream=127.0.0.1:{b.Endpoint("socks").Port}", atA);

        // An unknown key: refused before the login, and nothing reaches B.
        (code, _, _) = await SocksProxyTests.Curl($"--socks5-hostname {a.Endpoint("socks")} -U root+colour=red:toor http://origin.test:{origin.HttpPort}/hello");
        Assert.NotEqual(0, code);
        Assert.NotEmpty(await a.WaitForLogAsync(l => l.Contains("reason=ForbiddenByRule") && l.Contains("unknown username param")));
        Assert.Single(origin.Seen);
    }

    [Fact]
    public async Task WrongProxyPassword_HttpClientGets502_SocksClientGetsConnectionRefused()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var b = await ProxyUnderTest.StartAsync(NodeB(dns));
        await using var a = await ProxyUnderTest.StartAsync(NodeA(b.Endpoint("socks").Port, password: "wrong"));

        var (code, status, _) = await SocksProxyTests.Curl($"-s -o /dev/null -w %{{http_code}} -x {a.ProxyUri()} {origin.Url("/hello")}");
        Assert.Equal(0, code);
        Assert.Equal("502", status);
        await using var client = await Socks5TestClient.ConnectAsync(a.Endpoint("socks"));
        await client.GreetAsync();
        var reply = await client.RequestAsync(Socks5Command.Connect, new UpstreamAddr("127.0.0.1", origin.HttpPort));
        Assert.Equal(Socks5ReplyCode.ConnectionRefused, reply.Code);
        Assert.Empty(origin.Seen);
        Assert.NotEmpty(await a.WaitForLogAsync(l => l.Contains("auth failed with next proxy")));
        Assert.NotEmpty(await b.WaitForLogAsync(l => l.Contains("reason=ClientAuthFailed")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Udp_ThroughA_AndBsUdpAssociate_ReachesTheEchoServer_BothWays(bool tls)
    {
        using var certs = new TestCertificates();
        await using var dns = new TestDnsServer();
        await using var echo = new UdpEcho();
        await using var b = await ProxyUnderTest.StartAsync(NodeB(dns).Replace("user_group: staff", "user_group: staff\n    use_udp_associate: true"));
        await using var door = new FrontDoor(b.Endpoint("socks"), tls ? certs.ServerCertificate : null);
        await using var a = await ProxyUnderTest.StartAsync(NodeA(door.Port, tls: tls), new Dictionary<string, string> { ["ca.pem"] = certs.CaPem });
        var target = new UpstreamAddr("127.0.0.1", echo.EndPoint.Port);

        await using (var session = await SocksUdpTests.UdpSession.OpenAsync(a))
        {
            foreach (var size in new[] { 1, 1400 })
            {
                var payload = Enumerable.Range(0, size).Select(i => (byte)(i * 3 + size)).ToArray();
                await session.SendAsync(target, payload);
                var got = await session.ReceiveAsync(TimeSpan.FromSeconds(10));
                Assert.True(got is not null, $"{size} bytes came back");
                Assert.Equal(target, got.Value.Source);
                Assert.Equal(payload, got.Value.Payload);
            }
        }
        Assert.Equal(2, echo.Received);
        var atB = Assert.Single(await b.WaitForLogAsync(l => l.Contains("task_type=UdpAssociate")));
        Assert.Contains("user=root", atB);
        Assert.NotEmpty(await a.WaitForLogAsync(l => l.Contains("task_type=UdpConnect") && l.Contains("escaper=chain")));
    }
}
