using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Integration;

/// <summary>http_rproxy in a node, in front of real Kestrel origins, seen by raw sockets, HttpClient and curl.</summary>
[Collection(NodeCollection.Name)]
public sealed class HttpRProxyTests : IDisposable
{
    private readonly TestCertificates _certs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("g3a-rproxy-").FullName;

    public void Dispose()
    {
        _certs.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A user group "staff" with root (password "toor"), for the gateway's user_group.</summary>
    private static readonly string StaffGroup = $"""

        user_group:
          - name: staff
            static_users:
              - name: root
                token: {HttpProxyUserTests.RootToken}
        """;

    private static string Get(string host, string path = "/hello", string extra = "") =>
        $"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n";

    private static async Task<RawHttp.Response> AskAsync(IPEndPoint proxy, string request)
    {
        await using var raw = await RawHttp.ConnectAsync(proxy);
        await raw.SendAsync(request);
        return await raw.ReadResponseAsync();
    }

    /// <summary>A node with one http_rproxy "rp" on loopback: its extra keys (hosts included), as YAML under the server.</summary>
    private static Task<ProxyUnderTest> StartAsync(string keys, string after = "", IDictionary<string, string>? files = null) =>
        ProxyUnderTest.StartAsync(StreamServerTests.WithServers("""
              - name: rp
                type: http_rproxy
                escaper: direct
                listen: 127.0.0.1:0
            """ + "\n" + string.Join("\n", keys.Split('\n').Select(l => l.Length == 0 ? l : "    " + l))) + after, files);

    /// <summary>A loopback port nothing listens on (bound, read back, released).</summary>
    private static int DeadPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Hosts_ExactChildDefaultUnknown_DeadUpstream_AndTlsToTheUpstream()
    {
        await using var a = await TestOrigin.StartAsync(_certs);
        await using var b = await TestOrigin.StartAsync(_certs);
        var dead = DeadPort();
        await using var proxy = await StartAsync($"""
            hosts:
              - exact_match: [a.test, www.a.test]
                upstream: 127.0.0.1:{a.HttpPort}
              - child_match: b.test
                upstream: 127.0.0.1:{b.HttpPort}
              - exact_match: dead.test
                upstream: 127.0.0.1:{dead}
              - exact_match: secure.test
                upstream: 127.0.0.1:{a.HttpsPort}
                tls_client:
                  ca_certificate: ca.pem
                tls_name: localhost
            """, after: $"""

              - name: rpd
                type: http_gateway
                escaper: direct
                listen: 127.0.0.1:0
                hosts:
                  upstream: 127.0.0.1:{b.HttpPort}
            """, files: new Dictionary<string, string> { ["ca.pem"] = _certs.CaPem });
        var rp = proxy.Endpoint("rp");

        var r = await AskAsync(rp, Get("www.a.test:8080", "/hello?x=1"));
        Assert.Equal(200, r.Status);
        Assert.Equal("hello", r.BodyText);
        var seenA = Assert.Single(a.Seen);
        Assert.Equal("/hello?x=1", seenA.PathAndQuery);
        Assert.Equal("www.a.test:8080", seenA.Headers["Host"]);

        r = await AskAsync(rp, Get("deep.sub.b.test"));
        Assert.Equal(200, r.Status);
        Assert.Equal("deep.sub.b.test", Assert.Single(b.Seen).Headers["Host"]);

        // TLS towards the upstream, its certificate checked against tls_name
        r = await AskAsync(rp, Get("secure.test"));
        Assert.Equal(200, r.Status);
        Assert.Equal(2, a.Seen.Count);

        // g3: no site for the host -> 400, and the connection closes
        await using (var raw = await RawHttp.ConnectAsync(rp))
        {
            await raw.SendAsync(Get("unknown.test"));
            r = await raw.ReadResponseAsync();
            Assert.Equal(400, r.Status);
            Assert.Equal("close", r.Header("Connection"));
            Assert.True(await raw.ClosedByPeerAsync());
        }
        // the same host on a server with a default site goes there
        Assert.Equal(200, (await AskAsync(proxy.Endpoint("rpd"), Get("unknown.test"))).Status);
        Assert.Equal(2, b.Seen.Count);

        // an upstream that refuses the connection: 521, as g3 answers a refused connect
        r = await AskAsync(rp, Get("dead.test"));
        Assert.Equal(521, r.Status);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_type=HttpRProxy") && l.Contains("upstream=127.0.0.1:" + dead) && l.Contains("rsp_status=521")));
    }

    [Fact]
    public async Task KeepAlive_TheOriginSeesOneConnection_AcrossRequestsAndClientConnections()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await StartAsync($"""
            hosts:
              exact_match: site.test
              upstream: 127.0.0.1:{origin.HttpPort}
            """);
        var rp = proxy.Endpoint("rp");
        var connections = new List<string>();
        // two requests on one client connection, then two more clients one after the other
        await using (var raw = await RawHttp.ConnectAsync(rp))
        {
            for (var i = 0; i < 2; i++)
            {
                await raw.SendAsync(Get("site.test", "/conn"));
                connections.Add((await raw.ReadResponseAsync()).BodyText);
            }
        }
        for (var i = 0; i < 2; i++) connections.Add((await AskAsync(rp, Get("site.test", "/conn"))).BodyText);
        Assert.Equal(4, connections.Count);
        Assert.Single(connections.Distinct());
        Assert.Single(origin.Seen.Select(s => s.ConnectionId).Distinct());
        Assert.Equal(3, (await proxy.WaitForLogAsync(l => l.Contains("reuse_connection=true"), count: 3)).Length);
    }

    [Fact]
    public async Task TlsServer_TwoSitesCertificates_ArePickedBySni_AndAnUnknownNameIsDropped()
    {
        await using var a = await TestOrigin.StartAsync(_certs);
        await using var b = await TestOrigin.StartAsync(_certs);
        var (certA, keyA) = _certs.Leaf("a.test");
        var (certB, keyB) = _certs.Leaf("b.test", rsa: true);
        await using var proxy = await StartAsync($"""
            enable_tls_server: true
            client_hello_recv_timeout: 2s
            hosts:
              - exact_match: a.test
                upstream: 127.0.0.1:{a.HttpPort}
                tls_server:
                  certificate: a.pem
                  private_key: a.key
              - exact_match: b.test
                upstream: 127.0.0.1:{b.HttpPort}
                tls_server:
                  certificate: b.pem
                  private_key: b.key
            """, files: new Dictionary<string, string> { ["a.pem"] = certA, ["a.key"] = keyA, ["b.pem"] = certB, ["b.key"] = keyB });
        var port = proxy.Endpoint("rp").Port;
        var ca = Path.Combine(_dir, "ca.pem");
        await File.WriteAllTextAsync(ca, _certs.CaPem);

        // curl checks the name: each site must have answered with its own certificate
        foreach (var (name, origin) in new[] { ("a.test", a), ("b.test", b) })
        {
            var (code, body, err) = await HttpForwardTests.RunAsync("curl",
                $"-sS --max-time 20 --cacert {ca} --resolve {name}:{port}:127.0.0.1 https://{name}:{port}/hello", 60_000);
            Assert.True(code == 0, err);
            Assert.Equal("hello", body);
            Assert.Equal(name + ":" + port, Assert.Single(origin.Seen).Headers["Host"]);
        }

        // no site and no global_tls_server for c.test: the handshake is refused, with a reason
        var (failed, _, _) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 20 --cacert {ca} --resolve c.test:{port}:127.0.0.1 https://c.test:{port}/hello", 60_000);
        Assert.NotEqual(0, failed);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("reason=ClientTlsHandshakeFailed")));
        Assert.Contains("c.test", log);
    }

    [Fact]
    public async Task AppendForwardedFor_NoneClassicStandard_AsTheOriginSeesThem()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        string Server(string name, string mode) => $"""
              - name: {name}
                type: http_rproxy
                escaper: direct
                listen: 127.0.0.1:0
                append_forwarded_for: {mode}
                hosts:
                  upstream: 127.0.0.1:{origin.HttpPort}
            """;
        await using var proxy = await ProxyUnderTest.StartAsync(StreamServerTests.WithServers(
            Server("none", "none") + "\n" + Server("classic", "classic") + "\n" + Server("standard", "standard")));

        foreach (var name in new[] { "none", "classic", "standard" })
            Assert.Equal(200, (await AskAsync(proxy.Endpoint(name), Get("site.test", "/hello", $"X-Server: {name}\r\n"))).Status);
        var seen = origin.Seen.ToDictionary(s => s.Headers["X-Server"]);

        Assert.False(seen["none"].Headers.ContainsKey("X-Forwarded-For"));
        Assert.False(seen["none"].Headers.ContainsKey("Forwarded"));
        Assert.Equal("127.0.0.1", seen["classic"].Headers["X-Forwarded-For"]);
        Assert.False(seen["classic"].Headers.ContainsKey("Forwarded"));
        Assert.Matches($@"^for=127\.0\.0\.1:\d+; by=127\.0\.0\.1:{proxy.Endpoint("standard").Port}$", seen["standard"].Headers["Forwarded"]);
        Assert.False(seen["standard"].Headers.ContainsKey("X-Forwarded-For"));
    }

    [Fact]
    public async Task Users_Authorization_401WithRealm_WrongPassword401_RightOne200()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await StartAsync($"""
            user_group: staff
            hosts:
              upstream: 127.0.0.1:{origin.HttpPort}
            """, after: StaffGroup);
        var rp = proxy.Endpoint("rp");
        await using var raw = await RawHttp.ConnectAsync(rp);

        await raw.SendAsync(Get("site.test"));
        var r = await raw.ReadResponseAsync();
        Assert.Equal(401, r.Status);
        // g3's http_rproxy realm defaults to "g3proxy"
        Assert.Equal("Basic realm=\"g3proxy\"", r.Header("WWW-Authenticate"));
        Assert.Null(r.Header("Proxy-Authenticate"));
        Assert.Equal("keep-alive", r.Header("Connection"));

        await raw.SendAsync(Get("site.test", extra: $"Authorization: {BasicAuth.Encode("root", "wrong")}\r\n"));
        r = await raw.ReadResponseAsync();
        Assert.Equal(401, r.Status);
        Assert.Equal("Basic realm=\"g3proxy\"", r.Header("WWW-Authenticate"));
        // the second failure in a row closes, as g3 does
        Assert.True(await raw.ClosedByPeerAsync());
        Assert.Empty(origin.Seen);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var req = new HttpRequestMessage(HttpMethod.Get, $"http://{rp}/hello");
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("root:toor"u8.ToArray()));
        using var ok = await client.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("hello", await ok.Content.ReadAsStringAsync());
        // the credentials were the gateway's: the origin never sees them
        Assert.False(Assert.Single(origin.Seen).Headers.ContainsKey("Authorization"));
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("user=root") && l.Contains("rsp_status=200")));
    }

    [Fact]
    public async Task MalformedRequest_Gets400_AndTheServerKeepsServing()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await StartAsync($"""
            hosts:
              upstream: 127.0.0.1:{origin.HttpPort}
            """);
        var rp = proxy.Endpoint("rp");
        await using (var raw = await RawHttp.ConnectAsync(rp))
        {
            await raw.SendAsync("THIS IS NOT HTTP\r\n\r\n");
            Assert.Equal(400, (await raw.ReadResponseAsync()).Status);
            Assert.True(await raw.ClosedByPeerAsync());
        }
        await using (var raw = await RawHttp.ConnectAsync(rp))
        {
            await raw.SendAsync($"GET / HTTP/1.1\r\nHost: site.test\r\nX-Big: {new string('x', 70 * 1024)}\r\n\r\n");
            Assert.Equal(431, (await raw.ReadResponseAsync()).Status);
        }
        Assert.Equal(2, (await proxy.WaitForLogAsync(l => l.Contains("reason=InvalidClientProtocol"), count: 2)).Length);
        Assert.Empty(origin.Seen);

        var r = await AskAsync(rp, Get("site.test"));
        Assert.Equal(200, r.Status);
        Assert.Equal("hello", r.BodyText);
    }

    [Fact]
    public async Task UntrustedReadSpeedLimit_TheRefusedBodyIsDropped_AndTheConnectionServesTheLogin()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await StartAsync($"""
            user_group: staff
            untrusted_read_speed_limit: 1M
            hosts:
              upstream: 127.0.0.1:{origin.HttpPort}
            """, after: StaffGroup);
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint("rp"));

        await raw.SendAsync("POST /echo HTTP/1.1\r\nHost: site.test\r\nContent-Length: 5000\r\n\r\n" + new string('x', 5000));
        var refused = await raw.ReadResponseAsync();
        await raw.SendAsync(Get("site.test", extra: $"Authorization: {BasicAuth.Encode("root", "toor")}\r\n"));
        var ok = await raw.ReadResponseAsync();

        Assert.Equal(401, refused.Status);
        Assert.Equal("keep-alive", refused.Header("Connection"));
        Assert.Equal(200, ok.Status);
        Assert.Equal("hello", ok.BodyText);
        Assert.Equal("/hello", Assert.Single(origin.Seen).PathAndQuery);
    }
}
