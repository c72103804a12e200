using System.Text;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// ICAP on HTTP/1 exchanges intercepted in http_proxy CONNECT tunnels (curl -p): Debian's c-icap
/// echo service, and an ICAP server written for the tests that blocks, changes, replaces, stays
/// silent, or answers a preview with 204.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class IcapTests
{
    private static Task<ProxyUnderTest> StartAsync(string reqmod, string respmod, string icapExtra = "") =>
        ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "auditor: audit") + $$"""

            auditor:
              - name: audit
                h1_interception:
                  rsp_header_recv_timeout: 3s
                icap_reqmod_service: { url: {{reqmod}}{{icapExtra}} }
                icap_respmod_service: { url: {{respmod}}{{icapExtra}} }
            """);

    private static Task<(int Code, string Stdout, string Stderr)> Curl(ProxyUnderTest proxy, string args) =>
        HttpForwardTests.RunAsync("curl", $"-sS --max-time 30 -p -x {proxy.ProxyUri()} {args}", 60_000);

    [Fact]
    public async Task CIcapEcho_SeesReqmodAndRespmod_AndTheExchangeArrivesIntact()
    {
        await using var icap = await CIcapServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var url = $"icap://127.0.0.1:{icap.Port}/echo";
        await using var proxy = await StartAsync(url, url);
        var payload = string.Concat(Enumerable.Repeat("0123456789abcdef", 200)); // 3200 bytes: more than c-icap's 1024-byte preview

        var (code, body, err) = await Curl(proxy, $"--data-binary {payload} http://127.0.0.1:{origin.HttpPort}/echo");

        Assert.True(code == 0, err + proxy.TaskLog);
        Assert.Equal(payload, body);
        var seen = Assert.Single(origin.Seen);
        Assert.Equal(payload.Length, seen.BodyLength);
        Assert.True(await Eventually.True(() => icap.AccessLog.Contains("REQMOD") && icap.AccessLog.Contains("RESPMOD"), TimeSpan.FromSeconds(20)), icap.AccessLog);
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=HttpForward")));
        Assert.Contains("rsp_status=200", line);
    }

    [Fact]
    public async Task IcapServerBlockingAUrl_TheClientGets403_AndTheOriginSeesNothing()
    {
        await using var icap = new ScriptedIcapServer();
        await using var origin = await TestOrigin.StartAsync();
        var url = $"icap://127.0.0.1:{icap.Port}/svc";
        await using var proxy = await StartAsync(url, url);

        var (code, body, err) = await Curl(proxy, $"-w %{{http_code}} http://127.0.0.1:{origin.HttpPort}/blocked/page");

        Assert.True(code == 0, err);
        Assert.Equal("blocked403", body);
        Assert.Empty(origin.Seen);
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=HttpForward")));
        Assert.Contains("rsp_status=403", line);
        var req = Assert.Single(icap.Requests);
        Assert.StartsWith($"REQMOD icap://127.0.0.1:{icap.Port}/svc ICAP/1.0", req.Head);
        Assert.Contains("X-Client-IP: 127.0.0.1", req.Head);
        Assert.Contains("Allow: 204", req.Head); // no body: the proxy still holds all of it
    }

    [Fact]
    public async Task ReqmodChangesTheRequest_RespmodReplacesTheResponse()
    {
        await using var icap = new ScriptedIcapServer();
        await using var origin = await TestOrigin.StartAsync();
        var url = $"icap://127.0.0.1:{icap.Port}/svc";
        await using var proxy = await StartAsync(url, url);

        var (code, _, err) = await Curl(proxy, $"http://127.0.0.1:{origin.HttpPort}/modify");
        Assert.True(code == 0, err);
        var seen = Assert.Single(origin.Seen);
        Assert.Equal("/echo", seen.PathAndQuery);
        Assert.Equal("yes", seen.Headers["X-Icap-Modified"]);

        (code, var body, err) = await Curl(proxy, $"-i http://127.0.0.1:{origin.HttpPort}/replace");
        Assert.True(code == 0, err);
        Assert.Contains("X-Icap-Replaced: yes", body);
        Assert.EndsWith("\r\n\r\nreplaced", body);
        // four ICAP exchanges, one kept-alive connection per service (reqmod, respmod)
        Assert.Equal(4, icap.Requests.Count);
        Assert.Equal(2, icap.Connections);
    }

    [Fact]
    public async Task IcapServerThatNeverAnswers_EndsTheTaskWithTheReason_WithinTheWait()
    {
        await using var icap = new ScriptedIcapServer(silent: true);
        await using var origin = await TestOrigin.StartAsync();
        var url = $"icap://127.0.0.1:{icap.Port}/svc";
        await using var proxy = await StartAsync(url, url);
        var started = DateTime.UtcNow;

        var (code, body, _) = await Curl(proxy, $"-w %{{http_code}} http://127.0.0.1:{origin.HttpPort}/hello");

        Assert.Equal(0, code);
        Assert.Equal("500", body);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
        Assert.Empty(origin.Seen);
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=InterceptionError", task);
        Assert.Contains("icap reqmod", task);
        Assert.True(task.Contains("within 3s"), task);
    }

    [Fact]
    public async Task IcapServerThatNeverAnswers_WithBypass_TheRequestPasses()
    {
        await using var icap = new ScriptedIcapServer(silent: true);
        await using var origin = await TestOrigin.StartAsync();
        var url = $"icap://127.0.0.1:{icap.Port}/svc";
        await using var proxy = await StartAsync(url, url, ", bypass: true");

        var (code, body, err) = await Curl(proxy, $"http://127.0.0.1:{origin.HttpPort}/hello");

        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        Assert.Single(origin.Seen);
    }

    [Fact]
    public async Task Preview_AnsweredWith204_TheOriginalBodyGoesOnWhole()
    {
        await using var icap = new ScriptedIcapServer(preview: 4);
        await using var origin = await TestOrigin.StartAsync();
        var url = $"icap://127.0.0.1:{icap.Port}/svc";
        await using var proxy = await StartAsync(url, url);

        var (code, body, err) = await Curl(proxy, $"--data-binary hello-world http://127.0.0.1:{origin.HttpPort}/echo");

        Assert.True(code == 0, err + proxy.TaskLog);
        Assert.Equal("hello-world", body);
        Assert.Equal(11, Assert.Single(origin.Seen).BodyLength);
        var reqmod = icap.Requests.First(r => r.Head.StartsWith("REQMOD", StringComparison.Ordinal));
        Assert.Contains("Preview: 4", reqmod.Head);
        Assert.Equal("hell", reqmod.Body); // only the preview crossed to the ICAP server
        Assert.False(reqmod.Ieof);
        Assert.DoesNotContain("Allow: 204", reqmod.Head); // a 204 after the preview needs no Allow (RFC 3507 4.5)
        var respmod = icap.Requests.First(r => r.Head.StartsWith("RESPMOD", StringComparison.Ordinal));
        Assert.Contains("Preview: 4", respmod.Head);
    }

    [Fact]
    public async Task Preview_HoldingTheWholeBody_EndsWithIeof()
    {
        await using var icap = new ScriptedIcapServer(preview: 16);
        await using var origin = await TestOrigin.StartAsync();
        var url = $"icap://127.0.0.1:{icap.Port}/svc";
        await using var proxy = await StartAsync(url, url);

        var (code, body, err) = await Curl(proxy, $"--data-binary abc http://127.0.0.1:{origin.HttpPort}/echo");

        Assert.True(code == 0, err + proxy.TaskLog);
        Assert.Equal("abc", body);
        var reqmod = icap.Requests.First(r => r.Head.StartsWith("REQMOD", StringComparison.Ordinal));
        Assert.True(reqmod.Ieof);
        Assert.Equal("abc", reqmod.Body);
        Assert.Contains("Allow: 204", reqmod.Head);
    }
}
