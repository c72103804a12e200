using System.Net;
using Proxy.Actors.Protocols.Http1;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// What a user's own resolve_redirection, resolve_strategy, http_upstream_keepalive and explicit_sites
/// change for that user on an http_proxy, next to a user without them on the same node.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class UserEscapeTests
{
    private static string Yaml(TestDnsServer dns, string rootExtra = "", string bobExtra = "", string serverExtra = "") =>
        ProxyUnderTest.HttpProxyYaml(serverExtra: "user_group: staff\n" + serverExtra, escaperFilter: "egress_network_filter: {default: allow, allow: [127.0.0.0/8, '::1']}")
            .Replace("    server: 127.0.0.1\n", $"    server: 127.0.0.1:{dns.EndPoint.Port}\n") + $"""

        user_group:
          - name: staff
            static_users:
              - name: root
                token: {HttpProxyUserTests.RootToken}
        {Indent(rootExtra, 8)}
              - name: bob
                token: {HttpProxyUserTests.RootToken}
        {Indent(bobExtra, 8)}
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    private static string Get(string url, string user) =>
        $"GET {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\nProxy-Authorization: {BasicAuth.Encode(user, "toor")}\r\n\r\n";

    private static async Task<RawHttp.Response> SendAsync(ProxyUnderTest proxy, string url, string user)
    {
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
        await raw.SendAsync(Get(url, user));
        return await raw.ReadResponseAsync();
    }

    [Fact]
    public async Task ResolveRedirection_OfOneUser_SendsTheNameToTheOrigin_TheOtherUserGetsTheResolversAnswer()
    {
        await using var dns = new TestDnsServer();
        dns.SetA("example.test", 60, "127.0.0.2"); // nobody listens there
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, rootExtra: "resolve_redirection: {example.test: 127.0.0.1}"));
        var url = $"http://example.test:{origin.HttpPort}/hello";

        var root = await SendAsync(proxy, url, "root");
        var bob = await SendAsync(proxy, url, "bob");
        var rootAgain = await SendAsync(proxy, url, "root");

        Assert.Equal(200, root.Status);
        Assert.Equal("hello", root.BodyText);
        // bob may not take root's kept-alive connection: it goes where the resolver says
        Assert.NotEqual(200, bob.Status);
        Assert.Equal(200, rootAgain.Status);
        Assert.Equal(2, origin.Seen.Count);
        var bobLog = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("user=bob") && l.Contains("rsp_status=")));
        Assert.Contains("127.0.0.2", bobLog);
    }

    [Fact]
    public async Task ResolveStrategy_OfEachUser_PicksTheFamily_AndASitesStrategyOverridesTheUsers()
    {
        await using var dns = new TestDnsServer();
        foreach (var name in new[] { "dual.test", "v6site.test" })
        {
            dns.SetA(name, 60, "127.0.0.2"); // nobody listens there
            dns.SetAaaa(name, 60, "::1");
        }
        await using var origin = await TestOrigin.StartAsync(address: IPAddress.IPv6Loopback);
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns,
            rootExtra: "resolve_strategy: ipv6_only",
            bobExtra: """
                resolve_strategy: ipv4_only
                explicit_sites:
                  - id: v6
                    exact_match: [v6site.test]
                    resolve_strategy: ipv6_only
                """));

        var root = await SendAsync(proxy, $"http://dual.test:{origin.HttpPort}/peer", "root");
        var bob = await SendAsync(proxy, $"http://dual.test:{origin.HttpPort}/peer", "bob");
        var bobSite = await SendAsync(proxy, $"http://v6site.test:{origin.HttpPort}/peer", "bob");

        Assert.Equal(200, root.Status);
        Assert.StartsWith("::1 ", root.BodyText);
        Assert.NotEqual(200, bob.Status);
        Assert.Equal(200, bobSite.Status);
        Assert.Equal(2, origin.Seen.Count);
    }

    [Fact]
    public async Task ExplicitSiteTlsClient_WithTheTestCa_LetsHttpsForwardVerify_WithoutItTheHandshakeFails()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        var ca = Path.Combine(Path.GetTempPath(), $"g3a-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(ca, origin.CaPem);
        try
        {
            // the server's tls_client trusts the system roots only
            await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, serverExtra: "tls_client: {}", rootExtra: $$"""
                explicit_sites:
                  - id: lab
                    exact_match: [127.0.0.1]
                    tls_client: {ca_certificate: {{ca}}}
                """));
            var url = origin.HttpsUrl("/hello");

            var bob = await SendAsync(proxy, url, "bob");
            var root = await SendAsync(proxy, url, "root");
            var bobAgain = await SendAsync(proxy, url, "bob");

            Assert.Equal(525, bob.Status);
            Assert.Equal(200, root.Status);
            Assert.Equal("hello", root.BodyText);
            Assert.Equal(525, bobAgain.Status);
            Assert.Single(origin.Seen);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public async Task HttpUpstreamKeepalive_Disabled_NewUpstreamPerRequest_EnabledOneForBoth()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, rootExtra: "http_upstream_keepalive: false"));

        async Task<string[]> TwoRequests(string user)
        {
            await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
            var ids = new string[2];
            for (var i = 0; i < 2; i++)
            {
                await raw.SendAsync(Get(origin.Url("/conn"), user));
                var rsp = await raw.ReadResponseAsync();
                Assert.Equal(200, rsp.Status);
                ids[i] = rsp.BodyText;
            }
            return ids;
        }

        var bob = await TwoRequests("bob");
        var root = await TwoRequests("root");

        Assert.Equal(bob[0], bob[1]);
        Assert.NotEqual(root[0], root[1]);
        Assert.DoesNotContain(bob[0], root);
    }

    [Fact]
    public async Task ExplicitSiteRspHeaderTimeout_OverridesTheUsers_504ForTheSiteOnly()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, rootExtra: """
            http_rsp_header_recv_timeout: 60s
            explicit_sites:
              - id: slow
                subnet_match: [127.0.0.0/8]
                http_rsp_header_recv_timeout: 300ms
            """));

        var root = await SendAsync(proxy, origin.Url("/slow/3000"), "root");
        var bob = await SendAsync(proxy, origin.Url("/slow/3000"), "bob");

        Assert.Equal(504, root.Status);
        Assert.Equal(200, bob.Status);
        Assert.Equal("late", bob.BodyText);
    }
}
