using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Integration;

/// <summary>A user's own rules on an http_proxy: the status g3 answers for each, seen by a raw client.</summary>
[Collection(NodeCollection.Name)]
public sealed class HttpProxyUserRuleTests
{
    private static readonly string Root = BasicAuth.Encode("root", "toor");

    private static async Task<RawHttp.Response> SendAsync(ProxyUnderTest proxy, string head)
    {
        await using var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
        await raw.SendAsync(head);
        return await raw.ReadResponseAsync();
    }

    private static string Get(string url, string extra = "") =>
        $"GET {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\nProxy-Authorization: {Root}\r\n{extra}\r\n";

    [Fact]
    public async Task ProxyRequestFilter_ForbidsConnect_With405_ForwardStillPasses()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "proxy_request_filter: [http_forward]"));

        var authority = new Uri(origin.HttpsUrl("/")).Authority;
        var connect = await SendAsync(proxy, $"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nProxy-Authorization: {Root}\r\n\r\n");
        Assert.Equal(405, connect.Status);
        Assert.Equal(200, (await SendAsync(proxy, Get(origin.Url("/hello")))).Status);
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("rsp_status=405") && l.Contains("reason=ForbiddenByRule") && l.Contains("user=root")));
    }

    [Fact]
    public async Task DstHostAndPortFilters_Forbid_With403_BeforeAnyConnect()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: """
            dst_host_filter_set: {exact: {forbid_log: [localhost], default: permit}}
            dst_port_filter: {forbid: [1], default: permit}
            """));

        // localhost is refused by name: no resolver answer is needed (this node's resolver has none)
        Assert.Equal(403, (await SendAsync(proxy, Get($"http://localhost:{origin.HttpPort}/hello"))).Status);
        // port 1 would otherwise be 521 (refused): the rule answers first
        Assert.Equal(403, (await SendAsync(proxy, Get("http://127.0.0.1:1/"))).Status);
        Assert.Equal(200, (await SendAsync(proxy, Get(origin.Url("/hello")))).Status);
        Assert.Single(origin.Seen);
    }

    [Fact]
    public async Task UserAgentFilter_ForbidsListedProduct_With403()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "http_user_agent_filter: [curl]"));

        Assert.Equal(403, (await SendAsync(proxy, Get(origin.Url("/hello"), "User-Agent: curl/8.5.0\r\n"))).Status);
        Assert.Equal(200, (await SendAsync(proxy, Get(origin.Url("/hello"), "User-Agent: Mozilla/5.0\r\n"))).Status);
        Assert.Single(origin.Seen);
    }

    [Fact]
    public async Task IngressFilter_OfTheUser_RefusesLogin_With407()
    {
        await using var origin = await TestOrigin.StartAsync();
        // Only 10.0.0.0/8 is listed; loopback 127.0.0.1 is always permitted as g3 does, 127.0.0.2 is not.
        await using var proxy = await ProxyUnderTest.StartAsync(HttpProxyUserTests.Yaml(rootExtra: "ingress_network_filter: [10.0.0.0/8]"));
        Assert.Equal(200, (await SendAsync(proxy, Get(origin.Url("/hello")))).Status);

        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), 0));
        await socket.ConnectAsync(proxy.Endpoint());
        await using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(Get(origin.Url("/hello"))));
        var buf = new byte[512];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await stream.ReadAsync(buf, cts.Token);
        Assert.StartsWith("HTTP/1.1 407 ", System.Text.Encoding.ASCII.GetString(buf, 0, n));
        Assert.Single(origin.Seen);
    }
}
