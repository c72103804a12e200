using System.Text;
using System.Text.Json;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Float;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Escapers.Proxy;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Escapers.Float;

public sealed class ProxyFloatEscaperTests : IDisposable
{
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));
    private readonly string _dir = Directory.CreateTempSubdirectory("g3pfloat-").FullName;
    private readonly ManualTimeProvider _clock = new();

    private ProxyFloatEscaperConfig Config(bool cache = false) => new()
    {
        Name = "pfloat",
        Position = new ConfigPosition("escaper.yml", 1),
        Cache = cache ? Path.Combine(_dir, "peers.json") : null,
    };

    private static string Peer(int port, string extra = "") =>
        $$"""{"type": "http", "addr": "127.0.0.1:{{port}}", "id": "p1"{{extra}}}""";

    private static string[] Addrs(string published) =>
        JsonDocument.Parse(published).RootElement.EnumerateArray().Select(e => e.GetProperty("addr").GetString()!).ToArray();

    [Fact]
    public async Task PublishedHttpPeer_CarriesTunnels_WithItsAuthAndExtraHeaders()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = new ProxyFloatEscaper(Config(), _resolvers);

        var published = escaper.Publish($$"""[{{Peer(next.Port, ", \"username\": \"pu\", \"password\": \"pp\", \"extra_append_headers\": {\"X-Route\": \"blue\"}")}}]""");
        var result = await escaper.EscapeAsync(TestTasks.Tcp("example.test", 443), CancellationToken.None);

        Assert.True(published.Ok, published.Message);
        Assert.True(result.Ok, result.Reason);
        var head = Assert.Single(next.Heads);
        Assert.StartsWith("CONNECT example.test:443 HTTP/1.1\r\n", head);
        Assert.Contains("Proxy-Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("pu:pp")) + "\r\n", head);
        Assert.Contains("\r\nX-Route: blue\r\n", head);
        Assert.Equal([$"127.0.0.1:{next.Port}"], Addrs(escaper.Published()));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task PublishedSocks5Peer_CarriesTunnels_WithItsLogin()
    {
        await using var next = new ScriptedSocks5Proxy(("pu", "pp"));
        using var escaper = new ProxyFloatEscaper(Config(), _resolvers);

        var published = escaper.Publish($$"""{"type": "socks5", "addr": "127.0.0.1:{{next.Port}}", "username": "pu", "password": "pp"}""");
        var result = await escaper.EscapeAsync(TestTasks.Tcp("example.test", 443), CancellationToken.None);

        Assert.True(published.Ok, published.Message);
        Assert.True(result.Ok, result.Reason);
        Assert.Equal(["pu:pp"], next.Logins);
        Assert.Equal([new global::Proxy.Actors.Config.Values.UpstreamAddr("example.test", 443)], next.Targets);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task Peers_DropOut_ExpireGuardDurationBeforeTheirExpiry()
    {
        using var escaper = new ProxyFloatEscaper(Config() with { ExpireGuardDuration = TimeSpan.FromSeconds(5) }, _resolvers, time: _clock);
        var expire = _clock.GetUtcNow().AddSeconds(20).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Assert.True(escaper.Publish(Peer(3128, $", \"expire\": \"{expire}\"")).Ok);

        _clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Single(Addrs(escaper.Published()));
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Empty(Addrs(escaper.Published()));
        var result = await escaper.EscapeAsync(TestTasks.Tcp("example.test", 443), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.EscaperNotUsable, result.Error);
    }

    [Theory]
    [InlineData("{\"type\": \"http\"", "invalid publish data")]
    [InlineData("{\"type\": \"http\", \"addr\": \"proxy.example:3128\"}", "'addr' must be an ip:port")]
    [InlineData("{\"type\": \"socks5s\", \"addr\": \"127.0.0.1:1080\"}", "needs tls_client")]
    [InlineData("{\"type\": \"ftp\", \"addr\": \"127.0.0.1:21\"}", "unknown peer type 'ftp'")]
    [InlineData("{\"addr\": \"127.0.0.1:3128\"}", "a peer needs 'type'")]
    [InlineData("{\"type\": \"https\", \"addr\": \"127.0.0.1:3129\"}", "needs tls_client")]
    [InlineData("{\"type\": \"http\", \"addr\": \"127.0.0.1:3128\", \"weight\": 2}", "unknown peer key 'weight'")]
    public void BadPublish_IsRefusedWithTheReason_AndTheLastGoodSetStays(string json, string reason)
    {
        using var escaper = new ProxyFloatEscaper(Config(), _resolvers);
        Assert.True(escaper.Publish(Peer(3128)).Ok);

        var refused = escaper.Publish(json);

        Assert.False(refused.Ok);
        Assert.Contains(reason, refused.Message);
        Assert.Equal(["127.0.0.1:3128"], Addrs(escaper.Published()));
    }

    [Fact]
    public void CacheFile_KeepsThePeersAcrossARestart()
    {
        using (var first = new ProxyFloatEscaper(Config(cache: true), _resolvers))
            Assert.True(first.Publish($"[{Peer(3128)}, {Peer(3129)}]").Ok);

        using var restarted = new ProxyFloatEscaper(Config(cache: true), _resolvers);

        Assert.Equal(["127.0.0.1:3128", "127.0.0.1:3129"], Addrs(restarted.Published()));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
