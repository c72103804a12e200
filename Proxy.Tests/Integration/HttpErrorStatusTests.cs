using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Tests.Escapers;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// Every status the http_proxy server produces today, as a real client sees it, with what the
/// origin saw, the task log's reason, and whether the connection stays open (docs/http-status.md).
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class HttpErrorStatusTests
{
    // ---------- 400 ----------

    [Fact]
    public async Task GarbageRequestLine_400_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), "HELLO THERE\r\n\r\n");

        AssertClosingError(400, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await LogFor(proxy, 400));
        Assert.Empty(origin.Seen);
    }

    [Theory]
    [InlineData("Content-Length: abc\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n")]
    [InlineData("Content-Length: -1\r\n")]
    public async Task InvalidContentLength_400_Closes(string fields)
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(),
            $"POST {origin.Url("/echo")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n{fields}\r\nhello");

        AssertClosingError(400, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await LogFor(proxy, 400));
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task BothTransferEncodingAndContentLength_400_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(),
            $"POST {origin.Url("/echo")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        AssertClosingError(400, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await LogFor(proxy, 400));
        Assert.Empty(origin.Seen);
    }

    // ---------- 403 ----------

    [Fact]
    public async Task DstHostFilterSet_403_WithCurl()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(
            serverExtra: "dst_host_filter_set:\n  exact_match:\n    default: permit\n    forbid: [127.0.0.1]"));

        var (code, stdout, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 -o /dev/null -w %{{http_code}} -x {proxy.ProxyUri()} {origin.Url("/hello")}");

        Assert.True(code == 0, err);
        Assert.Equal("403", stdout);
        Assert.Contains("reason=ForbiddenByRule", await LogFor(proxy, 403));
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task DstPortFilter_403_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        // The list shorthand permits only the ports listed.
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "dst_port_filter: [80, 443]"));

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), Get(origin.Url("/hello"), origin.HttpPort));

        AssertClosingError(403, rsp, closed);
        var log = await LogFor(proxy, 403);
        Assert.Contains("reason=ForbiddenByRule", log);
        Assert.Contains($"upstream=127.0.0.1:{origin.HttpPort}", log);
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task DefaultEgressFilter_RefusesLoopback_403_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(escaperFilter: ""));

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), Get(origin.Url("/hello"), origin.HttpPort));

        AssertClosingError(403, rsp, closed);
        var log = await LogFor(proxy, 403);
        Assert.Contains("reason=ForbiddenByRule", log);
        Assert.Contains("escaper=direct", log);
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task LargeUploadToForbiddenTarget_ClientSees403_NotAReset()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "dst_port_filter: [80, 443]"));
        var file = Path.Combine(Path.GetTempPath(), "g3a-up-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, TestOrigin.Pattern(8 * 1024 * 1024));
        try
        {
            // The proxy answers before reading the body; closing with the body unread must not
            // turn into a TCP reset that destroys the 403 before curl reads it.
            var (code, stdout, err) = await HttpForwardTests.RunAsync("curl",
                $"-sS --max-time 60 -o /dev/null -w %{{http_code}} -H Expect: --data-binary @{file} -x {proxy.ProxyUri()} {origin.Url("/echo")}");

            Assert.True(code == 0, $"curl exit {code}: {err}");
            Assert.Equal("403", stdout);
            Assert.Contains("reason=ForbiddenByRule", await LogFor(proxy, 403));
            Assert.Empty(origin.Seen);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task LargeUploadToForbiddenTarget_HttpClientSees403()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "dst_port_filter: [80, 443]"));
        using var client = proxy.Client();

        // Before the staged close, HttpClient failed here with "Broken pipe" (the proxy's reset).
        var rsp = await client.PostAsync(origin.Url("/echo"), new ByteArrayContent(TestOrigin.Pattern(8 * 1024 * 1024)));

        Assert.Equal(HttpStatusCode.Forbidden, rsp.StatusCode);
        Assert.True(rsp.Headers.ConnectionClose);
        Assert.Contains("reason=ForbiddenByRule", await LogFor(proxy, 403));
        Assert.Empty(origin.Seen);
    }

    // ---------- 408 ----------

    [Fact]
    public async Task RequestHeadNotCompleteInTime_408_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "req_header_recv_timeout: 1s"));
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        var started = DateTime.UtcNow;
        await raw.SendAsync($"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n");
        var rsp = await raw.ReadResponseAsync(timeoutMs: 20000);

        AssertClosingError(408, rsp, await raw.ClosedByPeerAsync());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(900), "answered before the timeout");
        Assert.Contains("reason=ClientAppTimeout", await LogFor(proxy, 408));
        Assert.Empty(origin.Seen);
    }

    // ---------- 409 ----------

    [Fact]
    public async Task HostDiffersFromAuthority_WithoutCustomHost_409_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "allow_custom_host: false"));

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), $"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n");

        AssertClosingError(409, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await LogFor(proxy, 409));
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task HostEqualToAuthority_WithoutCustomHost_IsForwarded()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "allow_custom_host: false"));
        using var client = proxy.Client();

        var rsp = await client.GetAsync(origin.Url("/hello"));

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Single(origin.Seen);
    }

    // ---------- 431 ----------

    [Fact]
    public async Task HeaderOf64KiB_431_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(),
            $"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nX-Big: {new string('a', 64 * 1024)}\r\n\r\n");

        AssertClosingError(431, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await LogFor(proxy, 431));
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task HeaderOf1MiB_StillAnswered431()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        // Far more than the proxy reads: the rest is drained, not answered with a reset.
        await raw.SendAsync($"GET {origin.Url("/hello")} HTTP/1.1\r\nX-Big: {new string('a', 1024 * 1024)}\r\n\r\n");
        var rsp = await raw.ReadResponseAsync();

        AssertClosingError(431, rsp, await raw.ClosedByPeerAsync());
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task TooManyHeaderFields_431_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var fields = string.Concat(Enumerable.Range(0, 300).Select(i => $"X-F{i}: v\r\n"));

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(),
            $"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n{fields}\r\n");

        AssertClosingError(431, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await LogFor(proxy, 431));
        Assert.Empty(origin.Seen);
    }

    // ---------- 501 ----------

    [Fact]
    public async Task FtpUri_MethodG3DoesNotMap_501_Closes()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using var ftp = new TcpListener(IPAddress.Loopback, 0);
        ftp.Start();
        var port = ((IPEndPoint)ftp.LocalEndpoint).Port;

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), $"OPTIONS ftp://127.0.0.1:{port}/file.txt HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");

        // FTP over HTTP maps GET, PUT and DELETE; g3 answers anything else 501 before connecting
        AssertClosingError(501, rsp, closed);
        Assert.Contains("reason=UnimplementedProtocol", await LogFor(proxy, 501));
        Assert.False(ftp.Pending(), "the proxy must not connect to the ftp server");
    }

    [Fact]
    public async Task OriginFormLocalRequest_501_Closes()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), "GET / HTTP/1.1\r\nHost: proxy\r\n\r\n");

        AssertClosingError(501, rsp, closed);
        Assert.Contains("reason=UnimplementedProtocol", await LogFor(proxy, 501));
    }

    [Fact]
    public async Task UnsupportedTransferCoding_501_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(),
            $"POST {origin.Url("/echo")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");

        AssertClosingError(501, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await LogFor(proxy, 501));
        Assert.Empty(origin.Seen);
    }

    // ---------- 502 ----------

    [Fact]
    public async Task OriginClosesWithoutAnswer_502_Closes()
    {
        await using var origin = new ScriptedOrigin(reply: null);
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var url = $"http://127.0.0.1:{origin.Port}/x";

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), Get(url, origin.Port));

        AssertClosingError(502, rsp, closed);
        Assert.Contains("reason=ClosedByUpstream", await LogFor(proxy, 502));
        Assert.Equal(1, origin.Heads); // it saw the request, once: a fresh connection is not retried
    }

    [Fact]
    public async Task OriginAnswersGarbage_502_Closes()
    {
        await using var origin = new ScriptedOrigin(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n"));
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var url = $"http://127.0.0.1:{origin.Port}/x";

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), Get(url, origin.Port));

        AssertClosingError(502, rsp, closed);
        Assert.Contains("reason=InvalidUpstreamProtocol", await LogFor(proxy, 502));
        Assert.Equal(1, origin.Heads);
    }

    // ---------- 503 ----------

    [Fact]
    public async Task MissingEscaper_ActsAsDummyDeny_503_WithHttpClient()
    {
        await using var origin = await TestOrigin.StartAsync();
        var yaml = ProxyUnderTest.HttpProxyYaml().Replace("escaper: direct\n", "escaper: nowhere\n");
        Assert.Contains("escaper: nowhere", yaml);
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);
        using var client = proxy.Client();

        var rsp = await client.GetAsync(origin.Url("/hello"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rsp.StatusCode);
        Assert.True(rsp.Headers.ConnectionClose);
        var log = await LogFor(proxy, 503);
        Assert.Contains("reason=EscaperNotUsable", log);
        Assert.Contains("escaper=nowhere", log);
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task DummyDenyEscaper_503_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        var yaml = ProxyUnderTest.HttpProxyYaml()
            .Replace("escaper: direct\n", "escaper: deny\n")
            .Replace("escaper:\n", "escaper:\n  - name: deny\n    type: dummy_deny\n");
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), Get(origin.Url("/hello"), origin.HttpPort));

        AssertClosingError(503, rsp, closed);
        var log = await LogFor(proxy, 503);
        Assert.Contains("reason=EscaperNotUsable", log);
        Assert.Contains("escaper=deny", log);
        Assert.Empty(origin.Seen);
    }

    // ---------- 504 ----------

    [Fact]
    public async Task OriginTooSlowForRspHeaderRecvTimeout_504_WithHttpClient()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "rsp_header_recv_timeout: 1s"));
        using var client = proxy.Client();

        var rsp = await client.GetAsync(origin.Url("/slow/5000"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, rsp.StatusCode);
        Assert.True(rsp.Headers.ConnectionClose);
        Assert.Contains("reason=UpstreamAppTimeout", await LogFor(proxy, 504));
        Assert.Equal("/slow/5000", Assert.Single(origin.Seen).PathAndQuery);
    }

    // ---------- 521 ----------

    [Fact]
    public async Task ClosedPort_521_WithHttpClient()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using var client = proxy.Client();

        var rsp = await client.GetAsync($"http://127.0.0.1:{ClosedPort()}/");

        Assert.Equal((HttpStatusCode)521, rsp.StatusCode);
        var log = await LogFor(proxy, 521);
        Assert.Contains("reason=UpstreamNotConnected", log);
        Assert.Contains("tcp_connect_tries=", log);
    }

    [Fact]
    public async Task ClosedPort_521_KeepsAlive_SecondRequestOnSameConnectionWorks()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
        var closed = ClosedPort();

        await raw.SendAsync(Get($"http://127.0.0.1:{closed}/", closed));
        var first = await raw.ReadResponseAsync();
        await raw.SendAsync(Get(origin.Url("/conn"), origin.HttpPort));
        var second = await raw.ReadResponseAsync();

        Assert.Equal(521, first.Status);
        Assert.Equal("keep-alive", first.Header("Connection"));
        Assert.Equal(200, second.Status);
        Assert.Single(origin.Seen);
        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward"), 2);
        Assert.Contains(logs, l => l.Contains("rsp_status=521") && l.Contains("reason=UpstreamNotConnected"));
        Assert.Contains(logs, l => l.Contains("rsp_status=200") && l.Contains("reason=Finished"));
    }

    [Fact]
    public async Task Head_ToClosedPort_521_HasNoBody_ConnectionStaysUsable()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
        var closed = ClosedPort();

        // A reply to HEAD carries no body (RFC 9110 9.3.2); a body here would be read as the
        // start of the next response on this keep-alive connection.
        await raw.SendAsync($"HEAD http://127.0.0.1:{closed}/ HTTP/1.1\r\nHost: 127.0.0.1:{closed}\r\n\r\n");
        var head = await raw.ReadResponseAsync(headRequest: true);
        await raw.SendAsync(Get(origin.Url("/hello"), origin.HttpPort));
        var next = await raw.ReadResponseAsync();

        Assert.Equal(521, head.Status);
        Assert.Equal("keep-alive", head.Header("Connection"));
        Assert.Equal(200, next.Status);
        Assert.Equal("hello", next.BodyText);
        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward"), 2);
        Assert.Contains(logs, l => l.Contains("method=HEAD") && l.Contains("rsp_status=521"));
    }

    [Fact]
    public async Task ClosedPort_WithRequestBody_521_Closes()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var closed = ClosedPort();

        // The body was not read: the connection cannot carry another request.
        var (rsp, wasClosed) = await ExchangeAsync(proxy.Endpoint(),
            $"POST http://127.0.0.1:{closed}/ HTTP/1.1\r\nHost: 127.0.0.1:{closed}\r\nContent-Length: 5\r\n\r\nhello");

        AssertClosingError(521, rsp, wasClosed);
    }

    // ---------- 522 / 523 (fake connector: no such failures on loopback) ----------

    [Fact]
    public async Task ConnectTimeout_522_KeepsAlive()
    {
        var hanging = new HangingConnector();
        await using var proxy = await InjectedEscaperProxy.StartAsync(
            ProxyUnderTest.HttpProxyYaml(escaperExtra: "tcp_connect:\n  max_retry: 1\n  each_timeout: 200ms"), hanging);
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint);
        var port = ClosedPort();

        await raw.SendAsync(Get($"http://127.0.0.1:{port}/", port));
        var rsp = await raw.ReadResponseAsync();

        Assert.Equal(522, rsp.Status);
        Assert.Equal("keep-alive", rsp.Header("Connection"));
        Assert.Equal(2, hanging.Calls);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("rsp_status=522")));
        Assert.Contains("reason=UpstreamNotConnected", log);
        Assert.Contains("tcp_connect_tries=2", log);
        Assert.False(await raw.ClosedByPeerAsync(300), "522 to a keep-alive request without body keeps the connection");
    }

    [Fact]
    public async Task NetworkUnreachable_523_KeepsAlive()
    {
        await using var proxy = await InjectedEscaperProxy.StartAsync(
            ProxyUnderTest.HttpProxyYaml(escaperExtra: "tcp_connect:\n  max_retry: 0"), new FailingConnector(SocketError.NetworkUnreachable));
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint);
        var port = ClosedPort();

        await raw.SendAsync(Get($"http://127.0.0.1:{port}/", port));
        var rsp = await raw.ReadResponseAsync();

        Assert.Equal(523, rsp.Status);
        Assert.Equal("keep-alive", rsp.Header("Connection"));
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("rsp_status=523")));
        Assert.Contains("reason=UpstreamNotConnected", log);
    }

    [Fact]
    public async Task Connect_Unreachable_523_Closes()
    {
        await using var proxy = await InjectedEscaperProxy.StartAsync(
            ProxyUnderTest.HttpProxyYaml(escaperExtra: "tcp_connect:\n  max_retry: 0"), new FailingConnector(SocketError.HostUnreachable));
        var port = ClosedPort();

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint, $"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");

        AssertClosingError(523, rsp, closed);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("rsp_status=523") && l.Contains("task_type=TcpConnect")));
    }

    // ---------- 525 ----------

    [Fact]
    public async Task HttpsForward_UntrustedOriginCertificate_525()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync(Get(origin.HttpsUrl("/hello"), origin.HttpsPort));
        var rsp = await raw.ReadResponseAsync(timeoutMs: 30000);

        Assert.Equal(525, rsp.Status);
        // Like a failed connect: a body-less keep-alive request leaves the connection usable.
        Assert.Equal("keep-alive", rsp.Header("Connection"));
        Assert.Contains("reason=UpstreamTlsHandshakeFailed", await LogFor(proxy, 525));
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task HttpsForward_ToPlainHttpPort_525()
    {
        await using var origin = await TestOrigin.StartAsync();
        var ca = Path.Combine(Path.GetTempPath(), "g3a-ca-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(ca, origin.CaPem);
        try
        {
            await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: $"tls_client:\n  ca_certificate: {ca}"));
            await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

            await raw.SendAsync(Get($"https://127.0.0.1:{origin.HttpPort}/hello", origin.HttpPort));
            var rsp = await raw.ReadResponseAsync(timeoutMs: 30000);

            Assert.Equal(525, rsp.Status);
            Assert.Contains("reason=UpstreamTlsHandshakeFailed", await LogFor(proxy, 525));
            Assert.Empty(origin.Seen);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    // ---------- 530 ----------

    [Fact]
    public async Task Nxdomain_530_KeepsAlive()
    {
        await using var dns = new TestDnsServer();
        await using var proxy = await ProxyUnderTest.StartAsync(WithDns(dns, "each_timeout: 1000"));
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync(Get("http://nowhere.invalid.test/", 80));
        var rsp = await raw.ReadResponseAsync();

        Assert.Equal(530, rsp.Status);
        Assert.Equal("keep-alive", rsp.Header("Connection"));
        Assert.True(dns.Queries > 0, "the resolver asked the test DNS server");
        var log = await LogFor(proxy, 530);
        Assert.Contains("reason=UpstreamNotResolved", log);
        Assert.Contains("upstream=nowhere.invalid.test:80", log);
    }

    [Fact]
    public async Task DnsNeverAnswers_530()
    {
        await using var dns = new TestDnsServer { Silent = true };
        await using var proxy = await ProxyUnderTest.StartAsync(WithDns(dns, "each_timeout: 200\n    each_tries: 1"));
        using var client = proxy.Client();

        var rsp = await client.GetAsync("http://silent.invalid.test/");

        Assert.Equal((HttpStatusCode)530, rsp.StatusCode);
        Assert.True(dns.Queries > 0);
        Assert.Contains("reason=UpstreamNotResolved", await LogFor(proxy, 530));
    }

    // ---------- CONNECT ----------

    [Fact]
    public async Task Connect_ClosedPort_521_Closes()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var port = ClosedPort();

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), $"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");

        AssertClosingError(521, rsp, closed);
        var log = await LogFor(proxy, 521);
        Assert.Contains("task_type=TcpConnect", log);
        Assert.Contains("reason=UpstreamNotConnected", log);
    }

    [Fact]
    public async Task Connect_WithoutPort_400_Closes()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(), "CONNECT 127.0.0.1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        AssertClosingError(400, rsp, closed);
        var log = await LogFor(proxy, 400);
        Assert.Contains("task_type=TcpConnect", log);
        Assert.Contains("reason=InvalidClientProtocol", log);
    }

    [Fact]
    public async Task Connect_ForbiddenPort_403_Closes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "dst_port_filter: [443]"));

        var (rsp, closed) = await ExchangeAsync(proxy.Endpoint(),
            $"CONNECT 127.0.0.1:{origin.HttpsPort} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpsPort}\r\n\r\n");

        AssertClosingError(403, rsp, closed);
        var log = await LogFor(proxy, 403);
        Assert.Contains("task_type=TcpConnect", log);
        Assert.Contains("reason=ForbiddenByRule", log);
        Assert.Empty(origin.Seen);
    }

    // ---------- helpers ----------

    internal static string Get(string url, int port) => $"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n";

    /// <summary>One request on a fresh connection: the response, and whether the proxy then closed.</summary>
    internal static async Task<(RawHttp.Response Response, bool Closed)> ExchangeAsync(IPEndPoint proxy, string request, int timeoutMs = 20000)
    {
        await using var raw = await RawHttp.ConnectAsync(proxy);
        await raw.SendAsync(request);
        var rsp = await raw.ReadResponseAsync(timeoutMs: timeoutMs);
        return (rsp, await raw.ClosedByPeerAsync());
    }

    internal static void AssertClosingError(int status, RawHttp.Response rsp, bool closed)
    {
        Assert.Equal(status, rsp.Status);
        Assert.Equal("close", rsp.Header("Connection"));
        Assert.Contains($"<h1>{status} ", rsp.BodyText);
        Assert.True(closed, $"the proxy keeps the connection open after {status}");
    }

    internal static async Task<string> LogFor(ProxyUnderTest proxy, int status)
    {
        var lines = await proxy.WaitForLogAsync(l => l.Contains($"rsp_status={status}"));
        return Assert.Single(lines);
    }

    /// <summary>A loopback port nobody listens on: bind one, note it, close it.</summary>
    internal static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static string WithDns(TestDnsServer dns, string resolverExtra)
    {
        var yaml = ProxyUnderTest.HttpProxyYaml().Replace("    server: 127.0.0.1\n", $"    server: 127.0.0.1:{dns.EndPoint.Port}\n    {resolverExtra}\n");
        Assert.Contains($"server: 127.0.0.1:{dns.EndPoint.Port}", yaml);
        return yaml;
    }
}
