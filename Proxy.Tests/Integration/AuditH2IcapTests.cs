namespace Proxy.Tests.Integration;

/// <summary>
/// ICAP on h2 interception with real parts: curl --http2 through an intercepted CONNECT, a Kestrel HTTPS
/// origin speaking h2, the ICAP server written for the tests; the ICAP server sees each stream as HTTP/1.1.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AuditH2IcapTests : AuditTestBase
{
    private Task<ProxyUnderTest> StartAsync(ScriptedIcapServer icap, string serviceExtra = "") =>
        StartAsync($$"""
                h2_interception: { rsp_header_recv_timeout: 3s }
                icap_reqmod_service: { url: icap://127.0.0.1:{{icap.Port}}/req{{serviceExtra}} }
                icap_respmod_service: { url: icap://127.0.0.1:{{icap.Port}}/rsp{{serviceExtra}} }
            """);

    /// <summary>curl --http2 fetching each URL in turn on one connection; per URL "version status" and its body file.</summary>
    private async Task<(int Code, string[] Status, string Err)> CurlAsync(ProxyUnderTest proxy, int port, params string[] paths)
    {
        var outputs = string.Join(" ", paths.Select((p, i) => $"-o {Path.Combine(Dir, $"{i}.out")} https://localhost:{port}{p}"));
        var (code, stdout, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 --http2 -x {proxy.ProxyUri()} -p --cacert {CaFile()} -D {Path.Combine(Dir, "headers")} -w \"%{{http_version}} %{{response_code}}\\n\" {outputs}", 60_000);
        return (code, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), err);
    }

    private string Body(int i) => File.ReadAllText(Path.Combine(Dir, $"{i}.out"));

    [Fact]
    public async Task CurlHttp2_IcapBlocksOnePath_ThatStreamGetsThe403_TheOtherPasses_AndIcapSawHttp11()
    {
        // A preview the whole of these bodies fits in: 204 may answer it.
        await using var icap = new ScriptedIcapServer(preview: 1024);
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync(icap);

        var (code, status, err) = await CurlAsync(proxy, origin.HttpsPort, "/blocked/page?x=1", "/hello");

        Assert.True(code == 0, err + proxy.TaskLog);
        Assert.Equal(["2 403", "2 200"], status);
        Assert.Equal("blocked", Body(0));
        Assert.Equal("hello", Body(1));
        Assert.Equal(["/hello"], origin.Seen.Select(s => s.PathAndQuery).ToArray());
        var seen = icap.Requests.ToArray();
        var blocked = Assert.Single(seen, r => r.Head.StartsWith("REQMOD", StringComparison.Ordinal) && r.HttpHeads.Contains("/blocked"));
        Assert.StartsWith("GET /blocked/page?x=1 HTTP/1.1\r\n", blocked.HttpHeads);
        Assert.Contains($"\r\nHost: localhost:{origin.HttpsPort}\r\n", "\r\n" + blocked.HttpHeads); // from :authority
        Assert.Contains("X-Transformed-From: HTTP/2.0\r\n", blocked.Head);
        Assert.Contains("Allow: 204\r\n", blocked.Head); // no body: the proxy holds all of it
        var reqmod = Assert.Single(seen, r => r.Head.StartsWith("REQMOD", StringComparison.Ordinal) && r.HttpHeads.StartsWith("GET /hello HTTP/1.1\r\n", StringComparison.Ordinal));
        Assert.Contains("null-body=", reqmod.Head);
        var respmod = Assert.Single(seen, r => r.Head.StartsWith("RESPMOD", StringComparison.Ordinal));
        Assert.StartsWith($"RESPMOD icap://127.0.0.1:{icap.Port}/rsp ICAP/1.0\r\n", respmod.Head);
        Assert.StartsWith("GET /hello HTTP/1.1\r\n", respmod.HttpHeads);
        Assert.Contains("\r\n\r\nHTTP/1.1 200 OK\r\n", respmod.HttpHeads); // the h2 response as HTTP/1.1, after the request head
        Assert.Equal("hello", respmod.Body);
        var lines = await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2StreamForward"), count: 2);
        Assert.Contains(lines, l => l.Contains("uri=\"/blocked/page?x=1\"") && l.Contains("rsp_status=403"));
        Assert.Contains(lines, l => l.Contains("uri=/hello") && l.Contains("rsp_status=200"));
    }

    [Fact]
    public async Task CurlHttp2_ReqmodChangesTheRequest_RespmodReplacesTheResponse_APostBodyPassesAPreview()
    {
        await using var icap = new ScriptedIcapServer(preview: 4);
        await using var origin = await TestOrigin.StartAsync(OriginCerts);
        await using var proxy = await StartAsync(icap);

        var (code, status, err) = await CurlAsync(proxy, origin.HttpsPort, "/modify", "/replace");
        Assert.True(code == 0, err + proxy.TaskLog);
        var (postCode, posted, postErr) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 --http2 -x {proxy.ProxyUri()} -p --cacert {CaFile()} --data-binary 0123456789 https://localhost:{origin.HttpsPort}/echo", 60_000);

        Assert.Equal(["2 200", "2 200"], status);
        // REQMOD sent /modify to /echo with a field of its own; RESPMOD replaced the origin's 404 for /replace.
        var modified = Assert.Single(origin.Seen, s => s.Headers.ContainsKey("X-Icap-Modified"));
        Assert.Equal("/echo", modified.PathAndQuery);
        Assert.Equal("HTTP/2", modified.Protocol);
        Assert.Equal("replaced", Body(1));
        Assert.Contains("x-icap-replaced: yes", File.ReadAllText(Path.Combine(Dir, "headers")), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(origin.Seen, s => s.PathAndQuery == "/replace");
        // The body's first 4 bytes went as the preview, the ICAP server said 204, the whole body went on.
        Assert.True(postCode == 0, postErr);
        Assert.Equal("0123456789", posted);
        Assert.Contains(origin.Seen, s => s.PathAndQuery == "/echo" && s.BodyLength == 10);
        Assert.Contains(icap.Requests, r => r.HttpHeads.StartsWith("POST /echo HTTP/1.1\r\n", StringComparison.Ordinal) && r.Body == "0123" && r.Head.Contains("Preview: 4"));
    }

    [Fact]
    public async Task Http2_IcapServerThatNeverAnswers_ResetsTheStream_UnlessTheServiceHasBypass()
    {
        await using var icap = new ScriptedIcapServer(silent: true);
        await using var origin = await TestOrigin.StartAsync(OriginCerts);

        await using (var proxy = await StartAsync(icap))
        {
            var (code, _, _) = await CurlAsync(proxy, origin.HttpsPort, "/hello");
            Assert.NotEqual(0, code);
            var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=H2StreamForward")));
            Assert.True(line.Contains("icap reqmod: cannot reach the ICAP server"), line);
            Assert.Empty(origin.Seen);
        }

        await using (var proxy = await StartAsync(icap, ", bypass: true"))
        {
            var (code, status, err) = await CurlAsync(proxy, origin.HttpsPort, "/hello");
            Assert.True(code == 0, err);
            Assert.Equal(["2 200"], status);
            Assert.Equal("hello", Body(0));
        }
    }
}
