using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// ICAP on http_proxy's plain forwarded requests (curl -x, no tunnel), as g3 adapts an audited
/// forward task: the ICAP server written for the tests blocks, changes and replaces, or stays silent;
/// Debian's c-icap echo sees both modes while the exchange arrives intact.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class IcapForwardTests
{
    private static Task<ProxyUnderTest> StartAsync(string url, string ratio = "") =>
        ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "auditor: audit\nrsp_header_recv_timeout: 3s") + $$"""

            auditor:
              - name: audit
                icap_reqmod_service: { url: {{url}} }
                icap_respmod_service: { url: {{url}} }
            {{ratio}}
            """);

    private static Task<(int Code, string Stdout, string Stderr)> Curl(ProxyUnderTest proxy, string args) =>
        HttpForwardTests.RunAsync("curl", $"-sS --max-time 30 -x {proxy.ProxyUri()} {args}", 60_000);

    [Fact]
    public async Task IcapServerBlockingAUrl_TheClientGets403_AndTheOriginSeesNothing()
    {
        await using var icap = new ScriptedIcapServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync($"icap://127.0.0.1:{icap.Port}/svc");

        var (code, body, err) = await Curl(proxy, $"-w %{{http_code}} http://127.0.0.1:{origin.HttpPort}/blocked");

        Assert.True(code == 0, err);
        Assert.Equal("blocked403", body);
        Assert.Empty(origin.Seen);
        var req = Assert.Single(icap.Requests);
        Assert.StartsWith("REQMOD", req.Head);
        Assert.Contains($"GET http://127.0.0.1:{origin.HttpPort}/blocked HTTP/1.1", req.HttpHeads);
        Assert.DoesNotContain("Proxy-Connection", req.HttpHeads);
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward")));
        Assert.Contains("rsp_status=403", line);
    }

    [Fact]
    public async Task ReqmodChangesTheRequest_RespmodReplacesTheResponse_OnOneKeptAliveConnection()
    {
        await using var icap = new ScriptedIcapServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync($"icap://127.0.0.1:{icap.Port}/svc");

        var (code, body, err) = await Curl(proxy,
            $"-i http://127.0.0.1:{origin.HttpPort}/modify --next -x {proxy.ProxyUri()} -i http://127.0.0.1:{origin.HttpPort}/replace");

        Assert.True(code == 0, err + proxy.TaskLog);
        Assert.Equal(2, origin.Seen.Count);
        var modified = origin.Seen.First();
        Assert.Equal("/echo", modified.PathAndQuery);
        Assert.Equal("yes", modified.Headers["X-Icap-Modified"]);
        Assert.Contains("X-Icap-Replaced: yes", body);
        Assert.EndsWith("\r\n\r\nreplaced", body);
        Assert.Equal(4, icap.Requests.Count);
        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward"), 2);
        Assert.All(logs, l => Assert.Contains("reason=Finished", l));
    }

    [Fact]
    public async Task IcapServerThatNeverAnswers_Answers500_AndLogsTheAdapterError()
    {
        await using var icap = new ScriptedIcapServer(silent: true);
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync($"icap://127.0.0.1:{icap.Port}/svc");

        var (code, body, _) = await Curl(proxy, $"-w %{{http_code}} -o /dev/null http://127.0.0.1:{origin.HttpPort}/hello");

        Assert.Equal(0, code);
        Assert.Equal("500", body);
        Assert.Empty(origin.Seen);
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward")));
        Assert.Contains("reason=InternalAdapterError", line);
        Assert.Contains("icap reqmod", line);
    }

    [Fact]
    public async Task TaskAuditRatioZero_TheRequestIsNotAdapted()
    {
        await using var icap = new ScriptedIcapServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync($"icap://127.0.0.1:{icap.Port}/svc", "    task_audit_ratio: 0");

        var (code, body, err) = await Curl(proxy, $"http://127.0.0.1:{origin.HttpPort}/blocked");

        Assert.True(code == 0, err);
        Assert.Single(origin.Seen);
        Assert.Empty(icap.Requests);
    }

    [Fact]
    public async Task CIcapEcho_SeesReqmodAndRespmod_ForAForwardedRequest_AndTheBodyArrivesIntact()
    {
        await using var icap = await CIcapServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync($"icap://127.0.0.1:{icap.Port}/echo");
        var payload = string.Concat(Enumerable.Repeat("0123456789abcdef", 200)); // more than c-icap's 1024-byte preview

        var (code, body, err) = await Curl(proxy, $"--data-binary {payload} http://127.0.0.1:{origin.HttpPort}/echo");

        Assert.True(code == 0, err + proxy.TaskLog);
        Assert.Equal(payload, body);
        Assert.Equal(payload.Length, Assert.Single(origin.Seen).BodyLength);
        Assert.True(await Eventually.True(() => icap.AccessLog.Contains("REQMOD") && icap.AccessLog.Contains("RESPMOD"), TimeSpan.FromSeconds(20)), icap.AccessLog);
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=HttpForward")));
        Assert.Contains("rsp_status=200", line);
    }
}
