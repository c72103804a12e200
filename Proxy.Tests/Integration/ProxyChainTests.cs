using System.Net;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>Node A chains through node B with proxy_http / proxy_https; what B receives is watched at its door.</summary>
[Collection(NodeCollection.Name)]
public sealed class ProxyChainTests
{
    private static string ChainYaml(string escaper) => $"""
        log: stdout
        escaper:
          - name: chain
        {escaper}
        server:
          - name: http
            type: http_proxy
            escaper: chain
            listen: 127.0.0.1:0
        """;

    private static string ProxyHttp(int port) => $"""
            type: proxy_http
            proxy_addr: 127.0.0.1:{port}
            proxy_username: chain-user
            proxy_password: chain-secret
        """;

    private static string ProxyHttps(int port) => $"""
            type: proxy_https
            proxy_addr: 127.0.0.1:{port}
            proxy_username: chain-user
            proxy_password: chain-secret
            tls_client:
              ca_certificate: ca.pem
              no_default_ca_certificate: true
            tls_name: localhost
        """;

    private static readonly string ExpectedAuth =
        "Proxy-Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("chain-user:chain-secret"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chain_ForwardsGet_AndTunnelsConnect_ThroughB_WithAuth(bool https)
    {
        var certs = new TestCertificates();
        await using var origin = await TestOrigin.StartAsync(certs);
        await using var b = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var door = new FrontDoor(b.Endpoint(), https ? certs.ServerCertificate : null);
        await using var a = await ProxyUnderTest.StartAsync(ChainYaml(https ? ProxyHttps(door.Port) : ProxyHttp(door.Port)),
            new Dictionary<string, string> { ["ca.pem"] = certs.CaPem });
        using var client = a.Client();

        var plain = await client.GetAsync(origin.Url("/hello"));
        var secure = await client.GetAsync(origin.HttpsUrl("/hello"));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("hello", await plain.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("hello", await secure.Content.ReadAsStringAsync());
        var sent = door.Sent;
        Assert.Contains($"GET http://127.0.0.1:{origin.HttpPort}/hello HTTP/1.1\r\n", sent);
        Assert.Contains($"CONNECT 127.0.0.1:{origin.HttpsPort} HTTP/1.1\r\n", sent);
        Assert.Equal(2, CountOf(sent, ExpectedAuth + "\r\n"));
        Assert.Equal(2, origin.Seen.Count);
        var log = Assert.Single(await a.WaitForLogAsync(l => l.Contains("task_type=HttpForward")));
        Assert.Contains("escaper=chain", log);
        Assert.Contains($"next_peer_addr=127.0.0.1:{door.Port}", log);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chain_ForwardedRequests_ReuseOnePooledConnectionToB(bool https)
    {
        var certs = new TestCertificates();
        await using var origin = await TestOrigin.StartAsync();
        await using var b = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var door = new FrontDoor(b.Endpoint(), https ? certs.ServerCertificate : null);
        await using var a = await ProxyUnderTest.StartAsync(ChainYaml(https ? ProxyHttps(door.Port) : ProxyHttp(door.Port)),
            new Dictionary<string, string> { ["ca.pem"] = certs.CaPem });
        using var client = a.Client();

        for (var i = 0; i < 5; i++)
        {
            var rsp = await client.GetAsync(origin.Url($"/hello?n={i}"));
            Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
            Assert.Equal("hello", await rsp.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, door.Accepted);
        Assert.Equal(5, CountOf(door.Sent, ExpectedAuth + "\r\n"));
        Assert.Equal(5, origin.Seen.Count);
    }

    [Fact]
    public async Task Chain_NextProxyRefusesConnect_ClientGetsBadGateway_WithTheStatusLogged()
    {
        await using var refusing = new ScriptedOrigin(Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
        await using var a = await ProxyUnderTest.StartAsync(ChainYaml(ProxyHttp(refusing.Port)));
        await using var raw = await RawHttp.ConnectAsync(a.Endpoint());

        await raw.SendAsync("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n");
        var reply = await raw.ReadResponseAsync();

        Assert.Equal(502, reply.Status);
        var lines = await a.WaitForLogAsync(l => l.Contains("403"));
        Assert.True(lines.Length == 1, a.TaskLog.ToString());
        var log = lines[0];
        Assert.Contains("next proxy replied 403", log);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
