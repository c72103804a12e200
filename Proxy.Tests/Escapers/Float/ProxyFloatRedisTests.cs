using System.Text.Json;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Float;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Escapers.Proxy;
using Proxy.Tests.Integration;
using Proxy.Tests.Resolvers;
using StackExchange.Redis;

namespace Proxy.Tests.Escapers.Float;

[Collection(NodeCollection.Name)]
public sealed class ProxyFloatRedisTests : IDisposable
{
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));
    private readonly string _dir = Directory.CreateTempSubdirectory("g3pfloat-redis-").FullName;

    private ProxyFloatEscaperConfig Config(int redisPort) => new()
    {
        Name = "pfloat",
        Position = new ConfigPosition("escaper.yml", 1),
        Cache = Path.Combine(_dir, "peers.json"),
        RefreshInterval = TimeSpan.FromMilliseconds(300),
        Redis = new ProxyFloatRedisSource { Addr = new UpstreamAddr("127.0.0.1", redisPort), SetsKey = "float-peers", ConnectTimeout = TimeSpan.FromSeconds(2) },
    };

    private static string[] Addrs(string published) =>
        JsonDocument.Parse(published).RootElement.EnumerateArray().Select(e => e.GetProperty("addr").GetString()!).Order().ToArray();

    private static string Peer(int port) => $$"""{"type": "http", "addr": "127.0.0.1:{{port}}"}""";

    [Fact]
    public async Task PeersComeFromTheRedisSet_ANewMemberWithinAPoll_AndTheCacheKeepsThemAcrossRestart()
    {
        using var redis = new RedisServer();
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        await using var client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var set = client.GetDatabase();
        await set.SetAddAsync("float-peers", Peer(next.Port));

        using (var escaper = new ProxyFloatEscaper(Config(redis.Port), _resolvers))
        {
            Assert.True(await Eventually.True(() => Addrs(escaper.Published()).Length == 1), escaper.RedisError ?? escaper.Published());
            var result = await escaper.EscapeAsync(TestTasks.Tcp("example.test", 443), CancellationToken.None);
            Assert.True(result.Ok, result.Reason);
            await result.DisposeUpstreamAsync();

            await set.SetAddAsync("float-peers", Peer(3999));
            // one refresh_interval (300ms) plus a fetch; the bound is generous for a busy machine
            Assert.True(await Eventually.True(() => Addrs(escaper.Published()).Length == 2, TimeSpan.FromSeconds(5)), escaper.RedisError);
            Assert.Equal(new[] { $"127.0.0.1:{next.Port}", "127.0.0.1:3999" }.Order(), Addrs(escaper.Published()));

            await set.SetAddAsync("float-peers", "{not json");
            Assert.True(await Eventually.True(() => escaper.RedisError is not null, TimeSpan.FromSeconds(5)));
            Assert.Equal(2, Addrs(escaper.Published()).Length);
        }

        redis.Dispose();
        using var restarted = new ProxyFloatEscaper(Config(redis.Port), _resolvers);
        Assert.Equal(new[] { $"127.0.0.1:{next.Port}", "127.0.0.1:3999" }.Order(), Addrs(restarted.Published()));
    }

    [Fact]
    public async Task OverTls_PeersCome_AndAServerCertificateForAnotherNameIsRefused()
    {
        using var certs = new TestCertificates();
        using var redis = new RedisServer(certs);
        var options = ConfigurationOptions.Parse($"127.0.0.1:{redis.Port}");
        options.Ssl = true;
        options.SslHost = "localhost";
        options.CertificateValidation += (_, _, _, _) => true;
        await using (var client = await ConnectionMultiplexer.ConnectAsync(options))
            await client.GetDatabase().SetAddAsync("float-peers", Peer(3128));
        var tls = new TlsClientConfig { CaCertificatePem = certs.CaPem, NoDefaultCaCertificate = true };
        ProxyFloatEscaperConfig Over(string tlsName) => Config(redis.Port) with
        {
            Cache = null,
            Redis = Config(redis.Port).Redis! with { TlsClient = tls, TlsName = tlsName },
        };

        using var good = new ProxyFloatEscaper(Over("localhost"), _resolvers);
        using var wrong = new ProxyFloatEscaper(Over("other.test"), _resolvers);

        Assert.True(await Eventually.True(() => Addrs(good.Published()).Length == 1), good.RedisError ?? good.Published());
        Assert.Equal(["127.0.0.1:3128"], Addrs(good.Published()));
        Assert.True(await Eventually.True(() => wrong.RedisError is not null, TimeSpan.FromSeconds(15)));
        Assert.Empty(Addrs(wrong.Published()));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
