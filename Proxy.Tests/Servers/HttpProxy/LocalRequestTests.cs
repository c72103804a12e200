using Proxy.Actors.Config.Values;
using Proxy.Tests.Resolvers;
using static Proxy.Tests.Servers.HttpProxy.RawWire;

namespace Proxy.Tests.Servers.HttpProxy;

/// <summary>
/// Requests addressed to the http_proxy itself (g3's local requests): well-known URIs become forward
/// requests to the target they name, anything else is refused with g3's status.
/// </summary>
public sealed class LocalRequestTests
{
    /// <summary>An origin that answers each request with its request line and Host field.</summary>
    private static async Task EchoOrigin(Stream s)
    {
        while (await ReadHeadAsync(s) is { } head)
        {
            var lines = head.Split("\r\n");
            var host = lines.First(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))[5..].Trim();
            var body = $"{lines[0]}|{host}";
            await WriteAsync(s, $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }
    }

    private static async Task<(string Head, string Body)> ExchangeAsync(InMemoryHttpProxy proxy, string request)
    {
        var (client, served) = proxy.Connect();
        string head, body;
        using (client)
        {
            await WriteAsync(client, request);
            head = await ReadHeadAsync(client) ?? throw new EndOfStreamException("no response");
            body = await ReadExactlyAsync(client, ContentLength(head));
        }
        await served.WaitAsync(TimeSpan.FromSeconds(10));
        return (head, body);
    }

    [Fact]
    public async Task EasyProxy_OriginForm_IsForwardedToTheNamedTarget_WithHostSetToIt()
    {
        await using var proxy = new InMemoryHttpProxy(EchoOrigin);

        var (head, body) = await ExchangeAsync(proxy, "GET /.well-known/easy-proxy/http/o.test/8080/a/b?x=1 HTTP/1.1\r\nHost: proxy.test:3128\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal("GET /a/b?x=1 HTTP/1.1|o.test:8080", body);
        Assert.Equal(new UpstreamAddr("o.test", 8080), Assert.Single(proxy.Targets));
    }

    [Fact]
    public async Task MasqueHttp_IsForwardedToTheDecodedUri()
    {
        await using var proxy = new InMemoryHttpProxy(EchoOrigin);

        var (head, body) = await ExchangeAsync(proxy, "GET /.well-known/masque/http/http%3A%2F%2Fo.test%3A81%2Fp%3Fq%3D2/ HTTP/1.1\r\nHost: proxy.test\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal("GET /p?q=2 HTTP/1.1|o.test:81", body);
        Assert.Equal(new UpstreamAddr("o.test", 81), Assert.Single(proxy.Targets));
    }

    [Theory]
    [InlineData("/index.html")]
    [InlineData("/.well-known/other/x")]
    [InlineData("/.well-known/easy-proxy/gopher/o.test/70/")]
    [InlineData("/.well-known/masque/udp/o.test/53/")]
    public async Task OtherLocalPaths_Get501_AndNothingIsForwarded(string path)
    {
        await using var proxy = new InMemoryHttpProxy(EchoOrigin);

        var (head, _) = await ExchangeAsync(proxy, $"GET {path} HTTP/1.1\r\nHost: proxy.test\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 501", head);
        Assert.Empty(proxy.Targets);
        Assert.True(await Eventually.True(() => proxy.Log.Contains("reason=UnimplementedProtocol")), proxy.Log);
    }

    [Fact]
    public async Task LocalServerName_OnlyItsHostIsLocal_OtherOriginFormIs400()
    {
        await using var proxy = new InMemoryHttpProxy(EchoOrigin, c => c with { LocalServerName = ["proxy.local"] });

        var (other, _) = await ExchangeAsync(proxy, "GET /.well-known/easy-proxy/http/o.test/80/ HTTP/1.1\r\nHost: elsewhere.test\r\n\r\n");
        var (local, body) = await ExchangeAsync(proxy, "GET /.well-known/easy-proxy/http/o.test/80/z HTTP/1.1\r\nHost: PROXY.local:3128\r\n\r\n");
        // With a local name, an absolute URI whose Host is the proxy is a local request too.
        var (absolute, absoluteBody) = await ExchangeAsync(proxy, "GET http://proxy.local/.well-known/easy-proxy/http/o.test/82/y HTTP/1.1\r\nHost: proxy.local\r\n\r\n");
        var (notWellKnown, _) = await ExchangeAsync(proxy, "GET http://proxy.local/y HTTP/1.1\r\nHost: proxy.local\r\n\r\n");
        var (forward, forwardBody) = await ExchangeAsync(proxy, "GET http://o.test:83/w HTTP/1.1\r\nHost: o.test:83\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", other);
        Assert.StartsWith("HTTP/1.1 200", local);
        Assert.Equal("GET /z HTTP/1.1|o.test:80", body);
        Assert.StartsWith("HTTP/1.1 200", absolute);
        Assert.Equal("GET /y HTTP/1.1|o.test:82", absoluteBody);
        Assert.StartsWith("HTTP/1.1 501", notWellKnown);
        Assert.StartsWith("HTTP/1.1 200", forward);
        Assert.Equal("GET /w HTTP/1.1|o.test:83", forwardBody);
    }

    [Fact]
    public async Task ServerId_AddsConnectionInfo_AndMarkUpstream_AddsUpstreamId()
    {
        await using var proxy = new InMemoryHttpProxy(EchoOrigin, c => c with { ServerId = "px-1", HttpForwardMarkUpstream = true });

        var (head, _) = await ExchangeAsync(proxy, "GET http://o.test/ HTTP/1.1\r\nHost: o.test\r\n\r\n");

        Assert.Contains("\r\nX-BD-Upstream-Id: px-1\r\n", head);
        // The in-memory escaper reports only its peer address.
        Assert.Contains("\r\nX-BD-Remote-Connection-Info: px-1; remote=127.0.0.1:80\r\n", head);
        Assert.DoesNotContain("X-BD-Upstream-Addr", head);
    }

    [Fact]
    public async Task WithoutServerId_NoInfoFields()
    {
        await using var proxy = new InMemoryHttpProxy(EchoOrigin, c => c with { HttpForwardMarkUpstream = true, EchoChainedInfo = true });

        var (head, _) = await ExchangeAsync(proxy, "GET http://o.test/ HTTP/1.1\r\nHost: o.test\r\n\r\n");

        Assert.DoesNotContain("X-BD-", head);
    }
}
