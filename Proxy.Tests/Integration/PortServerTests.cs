using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Proxy.Actors.Protocols.ProxyProtocol;

namespace Proxy.Tests.Integration;

/// <summary>
/// Port servers in front of http_proxy (plain_tls_port, plain_tcp_port with PROXY protocol) and
/// tls_server on http_proxy itself, driven by curl, openssl and raw sockets.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class PortServerTests : IDisposable
{
    private readonly TestCertificates _certs = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "g3a-ports-" + Guid.NewGuid().ToString("N"));

    public PortServerTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _certs.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private Dictionary<string, string> ServerPair(bool rsa = false)
    {
        var (cert, key) = _certs.Leaf("localhost", rsa);
        return new() { ["proxy.crt"] = cert, ["proxy.key"] = key };
    }

    /// <summary>An http_proxy with no listener of its own and a port server in front of it.</summary>
    private static string Behind(string port) => ProxyUnderTest.HttpProxyYaml().Replace("    listen: 127.0.0.1:0\n", "") + "\n" + port;

    private static Task<(int Code, string Stdout, string Stderr)> Curl(string args) =>
        HttpForwardTests.RunAsync("curl", "-sS --max-time 30 " + args, 60_000);

    [Fact]
    public async Task PlainTlsPort_MakesAnHttpsProxy_ForPlainAndConnectRequests()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await ProxyUnderTest.StartAsync(Behind("""
              - name: tls
                type: plain_tls_port
                listen: 127.0.0.1:0
                server: http
                tls_server:
                  cert_pairs:
                    certificate: proxy.crt
                    private_key: proxy.key
            """), ServerPair());
        var ca = File("ca.pem", _certs.CaPem);
        var port = proxy.Endpoint("tls").Port;

        var (code, body, err) = await Curl($"--proxy https://127.0.0.1:{port} --proxy-cacert {ca} {origin.Url("/hello")}");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);

        (code, body, err) = await Curl($"--proxy https://127.0.0.1:{port} --proxy-cacert {ca} --cacert {ca} https://127.0.0.1:{origin.HttpsPort}/hello");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var logs = await proxy.WaitForLogAsync(l => l.Contains("server_name=http") && l.Contains("rsp_status=200"), count: 2);
        Assert.Contains(logs, l => l.Contains("task_type=HttpForward"));
        Assert.Contains(logs, l => l.Contains("task_type=TcpConnect"));
    }

    [Fact]
    public async Task PlainTlsPort_WithClientAuth_RefusesAClientWithoutCertificate_AcceptsOneWith()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        var files = ServerPair();
        files["ca.pem"] = _certs.CaPem;
        await using var proxy = await ProxyUnderTest.StartAsync(Behind("""
              - name: tls
                type: plain_tls_port
                listen: 127.0.0.1:0
                server: http
                tls_server:
                  certificate: proxy.crt
                  private_key: proxy.key
                  enable_client_auth: true
                  ca_certificate: ca.pem
            """), files);
        var ca = File("ca.pem", _certs.CaPem);
        var (clientCert, clientKey) = _certs.Leaf("client", client: true);
        var crt = File("client.crt", clientCert);
        var key = File("client.key", clientKey);
        var port = proxy.Endpoint("tls").Port;

        var (code, _, _) = await Curl($"--proxy https://127.0.0.1:{port} --proxy-cacert {ca} {origin.Url("/hello")}");
        Assert.NotEqual(0, code);
        var refused = await proxy.WaitForLogAsync(l => l.Contains("reason=ClientTlsHandshakeFailed"));
        Assert.Contains("server_name=tls", Assert.Single(refused));

        var (ok, body, err) = await Curl($"--proxy https://127.0.0.1:{port} --proxy-cacert {ca} --proxy-cert {crt} --proxy-key {key} {origin.Url("/hello")}");
        Assert.True(ok == 0, err);
        Assert.Equal("hello", body);
    }

    [Fact]
    public async Task TlsServer_OnHttpProxyItself_ServesHttpsProxyClients()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: """
            tls_server:
              certificate: proxy.crt
              private_key: proxy.key
            """), ServerPair());
        var ca = File("ca.pem", _certs.CaPem);
        var (code, body, err) = await Curl($"--proxy https://127.0.0.1:{proxy.Endpoint().Port} --proxy-cacert {ca} {origin.Url("/hello")}");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
    }

    [Theory]
    [InlineData("ECDSA+SHA256", "id-ecPublicKey")]
    [InlineData("RSA-PSS+SHA256:RSA+SHA256", "rsaEncryption")]
    public async Task CertPairs_RsaAndEcdsaSideBySide_PickedByTheClientsSignatureAlgorithms(string sigalgs, string expectedKey)
    {
        var (rsaCert, rsaKey) = _certs.Leaf("localhost", rsa: true);
        var (ecCert, ecKey) = _certs.Leaf("localhost");
        await using var proxy = await ProxyUnderTest.StartAsync(Behind("""
              - name: tls
                type: plain_tls_port
                listen: 127.0.0.1:0
                server: http
                tls_server:
                  cert_pairs:
                    - certificate: rsa.crt
                      private_key: rsa.key
                    - certificate: ec.crt
                      private_key: ec.key
            """), new Dictionary<string, string> { ["rsa.crt"] = rsaCert, ["rsa.key"] = rsaKey, ["ec.crt"] = ecCert, ["ec.key"] = ecKey });
        // TLS 1.2 so -sigalgs limits what the server may sign with (and so which certificate it can use).
        var (code, stdout, err) = await HttpForwardTests.RunAsync("bash",
            $"-c \"openssl s_client -connect 127.0.0.1:{proxy.Endpoint("tls").Port} -tls1_2 -sigalgs '{sigalgs}' </dev/null 2>/dev/null | openssl x509 -noout -text\"", 60_000);
        Assert.True(code == 0, err + stdout);
        Assert.Contains("Public Key Algorithm: " + expectedKey, stdout);
    }

    [Fact]
    public async Task PlainTcpPort_ProxyProtocolV1_FromCurl()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await ProxyUnderTest.StartAsync(Behind("""
              - name: pp
                type: plain_tcp_port
                listen: 127.0.0.1:0
                server: http
                proxy_protocol: v1
            """));
        var (code, body, err) = await Curl($"--haproxy-protocol -x http://127.0.0.1:{proxy.Endpoint("pp").Port} {origin.Url("/hello")}");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=http")));
        Assert.Contains("client_addr=127.0.0.1:", log);

        // Without the header the connection is dropped, as g3 does.
        (code, _, _) = await Curl($"-x http://127.0.0.1:{proxy.Endpoint("pp").Port} {origin.Url("/hello")}");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public async Task PlainTcpPort_ProxyProtocolV2_ClientAddrFromTheHeader_NextServersIngressFilterAppliesToIt()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        var yaml = ProxyUnderTest.HttpProxyYaml(serverExtra: "ingress_network_filter: {default: allow, forbid: [198.51.100.0/24]}")
            .Replace("    listen: 127.0.0.1:0\n", "") + """

              - name: pp
                type: plain_tcp_port
                listen: 127.0.0.1:0
                server: http
                proxy_protocol: 2
            """;
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);
        var port = proxy.Endpoint("pp");

        var rsp = await ExchangeAsync(port, ProxyProtocolV2Writer.Build(IPEndPoint.Parse("192.0.2.7:4242"), port), origin.Url("/hello"));
        Assert.StartsWith("HTTP/1.1 200", rsp);
        Assert.Contains("hello", rsp);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=http") && l.Contains("rsp_status=200")));
        Assert.Contains("client_addr=192.0.2.7:4242", log);

        // The http server's own ingress filter judges the address the header carried, not the socket's.
        rsp = await ExchangeAsync(port, ProxyProtocolV2Writer.Build(IPEndPoint.Parse("198.51.100.9:5000"), port), origin.Url("/hello"));
        Assert.Equal("", rsp);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("reason=ForbiddenClientAddress") && l.Contains("client_addr=198.51.100.9:5000")));
    }

    [Fact]
    public async Task LyingProxyHeader_AndRandomTlsHello_AreRefused_TheNodeKeepsServing()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await ProxyUnderTest.StartAsync(Behind("""
              - name: pp
                type: plain_tcp_port
                listen: 127.0.0.1:0
                server: http
                proxy_protocol: 2
              - name: tls
                type: plain_tls_port
                listen: 127.0.0.1:0
                server: http
                tls_server:
                  certificate: proxy.crt
                  private_key: proxy.key
            """), ServerPair());
        var pp = proxy.Endpoint("pp");

        // A v2 header whose length (4) is too short for the INET address block it declares (12).
        var lying = ProxyProtocolV2Writer.Build(IPEndPoint.Parse("192.0.2.7:4242"), pp);
        lying[14] = 0;
        lying[15] = 4;
        Assert.Equal("", await ExchangeAsync(pp, lying, origin.Url("/hello")));
        var refused = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=pp") && l.Contains("reason=InvalidClientProtocol")));
        Assert.Contains("PROXY protocol v2", refused);

        using (var random = new TcpClient())
        {
            await random.ConnectAsync(proxy.Endpoint("tls"));
            await random.GetStream().WriteAsync(RandomNumberGenerator.GetBytes(512));
            Assert.Equal("", await ReadAllAsync(random));
        }
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=tls") && l.Contains("reason=ClientTlsHandshakeFailed")));

        var rsp = await ExchangeAsync(pp, ProxyProtocolV2Writer.Build(IPEndPoint.Parse("192.0.2.7:4242"), pp), origin.Url("/hello"));
        Assert.StartsWith("HTTP/1.1 200", rsp);
        var ca = File("ca.pem", _certs.CaPem);
        var (code, body, err) = await Curl($"--proxy https://127.0.0.1:{proxy.Endpoint("tls").Port} --proxy-cacert {ca} {origin.Url("/hello")}");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
    }

    private static async Task<string> ExchangeAsync(IPEndPoint port, byte[] header, string url)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(port);
        var stream = client.GetStream();
        var uri = new Uri(url);
        await stream.WriteAsync(header);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {url} HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n\r\n"));
        return await ReadAllAsync(client);
    }

    private static async Task<string> ReadAllAsync(TcpClient client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ms = new MemoryStream();
        try
        {
            await client.GetStream().CopyToAsync(ms, cts.Token);
        }
        catch (IOException)
        {
            // A reset after a refusal reads as the end.
        }
        return Encoding.ASCII.GetString(ms.ToArray());
    }
}
