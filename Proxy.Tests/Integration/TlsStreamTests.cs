namespace Proxy.Tests.Integration;

/// <summary>tls_stream in front of a plain HTTP origin, driven by curl and openssl s_client.</summary>
[Collection(NodeCollection.Name)]
public sealed class TlsStreamTests : IDisposable
{
    private readonly TestCertificates _certs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("g3a-tls-stream-").FullName;

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

    private async Task<ProxyUnderTest> StartAsync(TestOrigin origin, string tlsExtra = "")
    {
        var (cert, key) = _certs.Leaf("localhost");
        return await ProxyUnderTest.StartAsync(StreamServerTests.WithServers($"""
              - name: tls
                type: tls_stream
                escaper: direct
                listen: 127.0.0.1:0
                upstream: 127.0.0.1:{origin.HttpPort}
                tls_server:
                  certificate: proxy.crt
                  private_key: proxy.key
            {tlsExtra}
            """), new Dictionary<string, string> { ["proxy.crt"] = cert, ["proxy.key"] = key, ["ca.pem"] = _certs.CaPem });
    }

    private static Task<(int Code, string Stdout, string Stderr)> Sh(string script) =>
        HttpForwardTests.RunAsync("bash", "-c \"" + script.Replace("\"", "\\\"") + "\"", 60_000);

    [Fact]
    public async Task Curl_GetsTheOriginThroughTheTlsStream()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await StartAsync(origin);
        var ca = File("ca.pem", _certs.CaPem);
        var (code, body, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 20 --cacert {ca} --resolve localhost:{proxy.Endpoint("tls").Port}:127.0.0.1 https://localhost:{proxy.Endpoint("tls").Port}/hello", 60_000);
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=tls") && l.Contains("reason=")));
        Assert.Contains("server_type=TlsStream", log);
    }

    [Theory]
    [InlineData("", "Reused, TLSv1.2")]
    [InlineData("      no_session_cache: true\n      no_session_ticket: true", "New, TLSv1.2")]
    public async Task OpensslSClient_VerifiesTheCertificate_AndResumesItsSessionUnlessSwitchedOff(string tlsExtra, string secondSession)
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await StartAsync(origin, tlsExtra);
        var ca = File("ca.pem", _certs.CaPem);
        var sess = Path.Combine(_dir, "sess.pem");
        var port = proxy.Endpoint("tls").Port;
        var request = "printf 'GET /hello HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'";
        var (code, first, err) = await Sh($"{request} | openssl s_client -connect 127.0.0.1:{port} -servername localhost -CAfile {ca} -verify_return_error -tls1_2 -sess_out {sess} -ign_eof 2>&1");
        Assert.True(code == 0, err + first);
        Assert.Contains("Verify return code: 0 (ok)", first);
        Assert.Contains("HTTP/1.1 200", first);
        Assert.Contains("hello", first);

        if (!System.IO.File.Exists(sess))
        {
            // openssl saves nothing when the server offered neither a session id nor a ticket.
            Assert.StartsWith("New", secondSession);
            return;
        }
        var (code2, second, err2) = await Sh($"{request} | openssl s_client -connect 127.0.0.1:{port} -servername localhost -CAfile {ca} -tls1_2 -sess_in {sess} -ign_eof 2>&1");
        Assert.True(code2 == 0, err2 + second);
        Assert.Contains(secondSession, second);
    }

    [Fact]
    public async Task ClientAuth_RefusesWithoutACertificate_AcceptsWithOne()
    {
        await using var origin = await TestOrigin.StartAsync(_certs);
        await using var proxy = await StartAsync(origin, """
                  enable_client_auth: true
                  ca_certificate: ca.pem
            """);
        var ca = File("ca.pem", _certs.CaPem);
        var (clientCert, clientKey) = _certs.Leaf("client", client: true);
        var crt = File("client.crt", clientCert);
        var key = File("client.key", clientKey);
        var port = proxy.Endpoint("tls").Port;
        var url = $"--resolve localhost:{port}:127.0.0.1 https://localhost:{port}/hello";

        var (code, _, _) = await HttpForwardTests.RunAsync("curl", $"-sS --max-time 20 --cacert {ca} {url}", 60_000);
        Assert.NotEqual(0, code);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=tls") && l.Contains("reason=ClientTlsHandshakeFailed")));

        var (ok, body, err) = await HttpForwardTests.RunAsync("curl", $"-sS --max-time 20 --cacert {ca} --cert {crt} --key {key} {url}", 60_000);
        Assert.True(ok == 0, err);
        Assert.Equal("hello", body);

        var (sclient, output, _) = await Sh($"openssl s_client -connect 127.0.0.1:{port} -CAfile {ca} -cert {crt} -key {key} </dev/null 2>&1");
        Assert.Contains("Verify return code: 0 (ok)", output);
        Assert.Equal(0, sclient);
    }
}
