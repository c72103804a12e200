using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Tests.Servers.HttpProxy;
using static Proxy.Tests.Servers.HttpProxy.RawWire;

namespace Proxy.Tests.Servers.HttpRProxy;

/// <summary>http_rproxy's protocol behaviour over in-memory connections: no sockets, no node.</summary>
public sealed class HttpRProxyProtocolTests
{
    private static readonly UpstreamAddr SiteA = new("10.0.0.1", 80);
    private static readonly UpstreamAddr SiteB = new("10.0.0.2", 8080);
    private static readonly UpstreamAddr SiteDefault = new("10.0.0.3", 80);

    /// <summary>a.test exactly, b.test and its children, and (unless left out) a default site.</summary>
    private static HttpRProxyServerConfig Config(bool withDefault = true, HttpForwardedHeaderType forwarded = HttpForwardedHeaderType.Classic, string? serverId = null) => new()
    {
        Name = "rp",
        Position = new ConfigPosition("main.yml", 1),
        Escaper = "origin",
        AppendForwardedFor = forwarded,
        ServerId = serverId,
        Hosts = new HostMatch<HttpRProxyHostConfig>(
            new Dictionary<string, HttpRProxyHostConfig> { ["a.test"] = new() { Upstream = SiteA } },
            [("b.test", new HttpRProxyHostConfig { Upstream = SiteB })],
            withDefault ? new HttpRProxyHostConfig { Upstream = SiteDefault } : null),
    };

    /// <summary>An origin that answers every request on a connection with the head it received.</summary>
    private static async Task EchoHeadOrigin(Stream s)
    {
        while (await ReadHeadAsync(s) is { } head)
            await WriteAsync(s, $"HTTP/1.1 200 OK\r\nContent-Length: {head.Length}\r\n\r\n{head}");
    }

    private static async Task<(string Head, string Body)> ReadResponseAsync(Stream s)
    {
        var head = await ReadHeadAsync(s) ?? throw new EndOfStreamException("no response");
        return (head, await ReadExactlyAsync(s, ContentLength(head)));
    }

    private static async Task<(string Head, string Body)> AskAsync(InMemoryHttpProxy proxy, string request)
    {
        var (client, _) = proxy.Connect();
        await using (client)
        {
            await WriteAsync(client, request);
            return await ReadResponseAsync(client);
        }
    }

    [Fact]
    public async Task ExactChildAndDefaultHosts_GoToTheirOwnUpstreams_PathAndQueryKept()
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config());

        var (head, seen) = await AskAsync(proxy, "GET /a/path?q=1 HTTP/1.1\r\nHost: a.test\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.StartsWith("GET /a/path?q=1 HTTP/1.1\r\n", seen);
        (_, seen) = await AskAsync(proxy, "GET /b HTTP/1.1\r\nHost: www.b.test:8000\r\n\r\n");
        Assert.StartsWith("GET /b HTTP/1.1\r\n", seen);
        Assert.Contains("Host: www.b.test:8000\r\n", seen);
        (_, seen) = await AskAsync(proxy, "GET /other HTTP/1.1\r\nHost: elsewhere.test\r\n\r\n");
        Assert.StartsWith("GET /other HTTP/1.1\r\n", seen);

        Assert.Equal([SiteA, SiteB, SiteDefault], proxy.Targets);
    }

    [Fact]
    public async Task UnknownHost_WithoutADefault_Gets400AndTheConnectionCloses()
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config(withDefault: false));
        var (client, served) = proxy.Connect();
        await WriteAsync(client, "GET / HTTP/1.1\r\nHost: nobody.test\r\n\r\n");
        var (head, _) = await ReadResponseAsync(client);
        Assert.StartsWith("HTTP/1.1 400 Bad Request", head);
        Assert.Contains("Connection: close", head);
        await served.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(proxy.Targets);
        Assert.Contains("reason=InvalidClientProtocol", proxy.Log);
    }

    [Fact]
    public async Task UnknownHost_WithNoEarlyErrorReply_IsClosedWithoutAReply()
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config(withDefault: false) with { NoEarlyErrorReply = true });
        var (client, served) = proxy.Connect();
        await WriteAsync(client, "GET / HTTP/1.1\r\nHost: nobody.test\r\n\r\n");
        Assert.Null(await ReadHeadAsync(client));
        await served.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(proxy.Targets);
    }

    [Fact]
    public async Task TheOriginSeesTheClientsHost_OurVia_XForwardedFor_AndNoHopByHopFields()
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config());
        var (_, seen) = await AskAsync(proxy, "GET http://a.test/abs HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\n\r\n");
        Assert.StartsWith("GET /abs HTTP/1.1\r\nHost: a.test\r\n", seen);
        Assert.Contains("Via: 1.1 a.test\r\n", seen);
        Assert.Contains("X-Forwarded-For: 127.0.0.1\r\n", seen);
        Assert.Contains("X-Keep: 2\r\n", seen);
        Assert.DoesNotContain("X-Drop", seen);
        Assert.DoesNotContain("Connection:", seen);
    }

    [Theory]
    [InlineData(HttpForwardedHeaderType.Standard, "Forwarded: for=127.0.0.1:40000; by=127.0.0.1:8080\r\n")]
    [InlineData(HttpForwardedHeaderType.None, null)]
    public async Task AppendForwardedFor_StandardOrNone(HttpForwardedHeaderType type, string? expected)
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config(forwarded: type));
        var (_, seen) = await AskAsync(proxy, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
        Assert.DoesNotContain("X-Forwarded-For", seen);
        if (expected is null) Assert.DoesNotContain("Forwarded:", seen);
        else Assert.Contains(expected, seen);
    }

    [Theory]
    [InlineData("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n", 501)]
    [InlineData("GET https://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 501)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", 400)]
    [InlineData("GET http://b.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", 409)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nVia: 1.1 gw-1\r\n\r\n", 508)]
    public async Task RequestsG3Refuses_GetItsStatus_WithoutAnUpstream(string request, int status)
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config(serverId: "gw-1"));
        var (head, _) = await AskAsync(proxy, request);
        Assert.StartsWith($"HTTP/1.{(request.Contains("HTTP/1.0") ? 0 : 1)} {status} ", head);
        Assert.Empty(proxy.Targets);
    }

    [Fact]
    public async Task KeepAlive_TwoRequestsOnOneClientConnection_UseOnePooledUpstreamConnection()
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config());
        var (client, served) = proxy.Connect();
        await WriteAsync(client, "GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\n");
        var (h1, b1) = await ReadResponseAsync(client);
        await WriteAsync(client, "GET /2 HTTP/1.1\r\nHost: a.test\r\n\r\n");
        var (h2, b2) = await ReadResponseAsync(client);
        Assert.StartsWith("HTTP/1.1 200", h1);
        Assert.StartsWith("GET /1 ", b1);
        Assert.StartsWith("HTTP/1.1 200", h2);
        Assert.StartsWith("GET /2 ", b2);
        Assert.Equal(1, proxy.OriginConnections);
        client.Dispose();
        await served.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Keep: 2\r\nHost: a.test\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Authorization: Basic eA==\r\nAuthorization: Basic eQ==\r\nVia: 1.0 cdn\r\nX-Forwarded-For: 10.9.9.9\r\nclose: x\r\n")]
    [InlineData("Host: a.test\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\nX-Keep:   spaced   \r\n")]
    [InlineData("Host: a.test\r\nHost: b.test\r\nConnection: Upgrade\r\nAccept: */*\r\n")]
    public async Task APooledUpstream_IsSentTheSameHead_AsTheFreshConnectionBeforeIt(string fields)
    {
        // The first request connects; the second takes the idle connection (the quick path):
        // the origin must see the same head from both.
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config(forwarded: HttpForwardedHeaderType.Standard));
        var (client, served) = proxy.Connect();
        var request = "GET /same HTTP/1.1\r\n" + fields + "\r\n";
        await WriteAsync(client, request);
        var (h1, fresh) = await ReadResponseAsync(client);
        await WriteAsync(client, request);
        var (h2, pooled) = await ReadResponseAsync(client);
        Assert.Equal(1, proxy.OriginConnections);
        Assert.Equal(h1, h2);
        Assert.Equal(fresh, pooled);
        Assert.StartsWith("GET /same HTTP/1.1\r\nHost: a.test\r\n", pooled);
        Assert.Contains("Via: 1.1 a.test\r\n", pooled);
        Assert.DoesNotContain("Connection:", pooled);
        Assert.DoesNotContain("Keep-Alive:", pooled);
        client.Dispose();
        await served.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task MalformedHead_Gets400_AndTheNextConnectionIsServed()
    {
        await using var proxy = new InMemoryHttpProxy(EchoHeadOrigin, Config());
        var (head, _) = await AskAsync(proxy, "NOT AN HTTP REQUEST\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", head);
        (head, _) = await AskAsync(proxy, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", head);
    }
}
