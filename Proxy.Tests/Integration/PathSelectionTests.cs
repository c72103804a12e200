namespace Proxy.Tests.Integration;

/// <summary>
/// direct_fixed's enable_path_selection: http_proxy's egress_path_selection_header carries a number
/// id that picks the bind address by index (g3: 1-based, 0 = the last, larger ids wrap), and the
/// origin sees the request leave from that address. Forwarded requests are pooled per path, so a
/// keep-alive connection bound to one path never carries a request that asked for another.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class PathSelectionTests
{
    private static string Get(string url, string pathId) =>
        $"GET {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\nX-Egress-Path: {pathId}\r\n\r\n";

    [Fact]
    public async Task PathId_PicksTheBindAddress_TheOriginSeesIt()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var node = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(
            serverExtra: "egress_path_selection_header: X-Egress-Path",
            escaperExtra: "bind_ip: [127.0.0.2, 127.0.0.3]\nenable_path_selection: true"));
        await using var raw = await RawHttp.ConnectAsync(node.Endpoint());

        async Task<(string Source, string Connection)> Via(string pathId)
        {
            await raw.SendAsync(Get(origin.Url("/peer"), pathId));
            var rsp = await raw.ReadResponseAsync();
            Assert.Equal(200, rsp.Status);
            var parts = rsp.BodyText.Split(' ');
            return (parts[0], parts[1]);
        }

        var first = await Via("1");
        Assert.Equal("127.0.0.2", first.Source);
        var second = await Via("2");
        Assert.Equal("127.0.0.3", second.Source);
        Assert.NotEqual(first.Connection, second.Connection);
        // back to path 1: its pooled connection, still from 127.0.0.2
        Assert.Equal(first, await Via("1"));
        Assert.Equal("127.0.0.3", (await Via("0")).Source); // 0 is the last
        Assert.Equal("127.0.0.2", (await Via("3")).Source); // 3 wraps to the first
    }
}
