using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// Issue 5's defect: <c>curl -x http://node https://localhost:PORT/</c> got 530 because the name went
/// to a DNS server that says NXDOMAIN. Now localhost is loopback without asking (RFC 6761 6.3) and the
/// egress filter decides: 403 by default, a working tunnel when loopback is allowed.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class LocalhostTargetTests
{
    [Fact]
    public async Task ConnectLocalhost_DefaultEgressFilter_403_WithoutAskingDns()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(WithDns(dns, ProxyUnderTest.HttpProxyYaml(escaperFilter: "")));

        var (code, stdout, err) = await HttpForwardTests.RunAsync("curl",
            $"-sS --max-time 30 -o /dev/null -w %{{http_connect}} -x {proxy.ProxyUri()} https://localhost:{origin.HttpsPort}/hello");

        Assert.NotEqual(0, code); // curl fails: the tunnel was refused
        Assert.Equal("403", stdout);
        var log = await HttpErrorStatusTests.LogFor(proxy, 403);
        Assert.Contains("reason=ForbiddenByRule", log);
        Assert.Equal(0, dns.Queries);
        Assert.True(err.Length > 0, "curl reports the refused tunnel");
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task CurlToLocalhost_LoopbackAllowed_Works()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(WithDns(dns, ProxyUnderTest.HttpProxyYaml()));
        var ca = Path.Combine(Path.GetTempPath(), $"g3a-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(ca, origin.CaPem);
        try
        {
            var (code, stdout, err) = await HttpForwardTests.RunAsync("curl",
                $"-sS --max-time 30 --cacert {ca} -w %{{http_connect}}/%{{http_code}} -o /dev/null " +
                $"-x {proxy.ProxyUri()} https://localhost:{origin.HttpsPort}/hello");

            Assert.True(code == 0, err);
            Assert.Equal("200/200", stdout);
            Assert.Equal(0, dns.Queries);
            var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=TcpConnect")));
            Assert.Contains("next_peer_addr=127.0.0.1:", log);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public async Task ConnectUnderDotLocalhost_LoopbackAllowed_200()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(WithDns(dns, ProxyUnderTest.HttpProxyYaml()));
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());

        await raw.SendAsync($"CONNECT app.LOCALHOST.:{origin.HttpPort} HTTP/1.1\r\nHost: app.LOCALHOST.:{origin.HttpPort}\r\n\r\n");
        var rsp = await raw.ReadResponseAsync(headRequest: true); // a tunnel has no body

        Assert.Equal(200, rsp.Status);
        Assert.Equal(0, dns.Queries);
    }

    private static string WithDns(TestDnsServer dns, string yaml)
    {
        var withDns = yaml.Replace("    server: 127.0.0.1\n", $"    server: 127.0.0.1:{dns.EndPoint.Port}\n");
        Assert.Contains($"server: 127.0.0.1:{dns.EndPoint.Port}", withDns);
        return withDns;
    }
}
