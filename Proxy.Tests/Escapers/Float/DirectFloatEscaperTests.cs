using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Float;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Escapers.Float;

public sealed class DirectFloatEscaperTests : IDisposable
{
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));
    private readonly TcpListener _target = new(IPAddress.Loopback, 0);
    private readonly string _dir = Directory.CreateTempSubdirectory("g3float-").FullName;
    private readonly ManualTimeProvider _clock = new();

    public DirectFloatEscaperTests() => _target.Start();

    private DirectFloatEscaperConfig Config(bool cache = false) => new()
    {
        Name = "float",
        Position = new ConfigPosition("escaper.yml", 1),
        Resolver = "r",
        EgressNetworkFilter = new NetworkAclRule([], AclAction.Permit),
        CacheIpv4 = cache ? Path.Combine(_dir, "v4.json") : null,
        CacheIpv6 = cache ? Path.Combine(_dir, "v6.json") : null,
    };

    private EscapeRequest ToTarget() => TestTasks.Tcp("127.0.0.1", ((IPEndPoint)_target.LocalEndpoint).Port);

    private static string[] Ips(string published, string family) =>
        JsonDocument.Parse(published).RootElement.GetProperty(family).EnumerateArray().Select(e => e.GetProperty("ip").GetString()!).ToArray();

    [Fact]
    public async Task NothingPublished_IsNotUsable()
    {
        using var escaper = new DirectFloatEscaper(Config(), _resolvers);
        var result = await escaper.EscapeAsync(ToTarget(), CancellationToken.None);
        Assert.Equal(EscapeErrorKind.EscaperNotUsable, result.Error);
        Assert.Contains("no bind ip published", result.Reason);
    }

    [Fact]
    public async Task Published_BindIpIsUsed_AndReadBack()
    {
        using var escaper = new DirectFloatEscaper(Config(), _resolvers);

        var published = escaper.Publish("""{"ipv4": [{"ip": "127.0.0.1", "id": "a", "isp": "lo", "area": "local"}], "ipv6": "::1"}""");
        var result = await escaper.EscapeAsync(ToTarget(), CancellationToken.None);

        Assert.True(published.Ok, published.Message);
        Assert.True(result.Ok, result.Reason);
        Assert.Equal(IPAddress.Loopback, result.BindIp);
        Assert.Equal(IPAddress.Loopback, result.BoundAddr!.Address);
        var back = escaper.Published();
        Assert.Equal(["127.0.0.1"], Ips(back, "ipv4"));
        Assert.Equal(["::1"], Ips(back, "ipv6"));
        Assert.Contains("\"isp\":\"lo\"", back);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task ExpiredEntries_DropOutByThemselves()
    {
        using var escaper = new DirectFloatEscaper(Config(), _resolvers, time: _clock);
        var expire = _clock.GetUtcNow().AddSeconds(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Assert.True(escaper.Publish($$"""{"ipv4": [{"ip": "127.0.0.1", "expire": "{{expire}}"}]}""").Ok);
        Assert.Equal(["127.0.0.1"], Ips(escaper.Published(), "ipv4"));

        _clock.Advance(TimeSpan.FromSeconds(31));

        Assert.Empty(Ips(escaper.Published(), "ipv4"));
        Assert.Equal(EscapeErrorKind.EscaperNotUsable, (await escaper.EscapeAsync(ToTarget(), CancellationToken.None)).Error);
    }

    [Theory]
    [InlineData("{\"ipv4\": ", "invalid publish data")]
    [InlineData("[\"127.0.0.1\"]", "must be a JSON map")]
    [InlineData("{\"ipv4\": \"::1\"}", "::1 is not an IPv4 address")]
    [InlineData("{\"ipv5\": \"127.0.0.2\"}", "no action defined for key 'ipv5'")]
    [InlineData("{\"ipv4\": {\"ip\": \"127.0.0.2\", \"color\": \"red\"}}", "unknown bind ip key 'color'")]
    [InlineData("{\"ipv4\": {\"ip\": \"127.0.0.2\", \"expire\": \"tomorrow\"}}", "RFC 3339")]
    [InlineData("{\"ipv4\": \"127.0.0.2\", \"ipv6\": \"not-an-ip\"}", "'ip' must be an IP address")]
    public void BadPublish_IsRefusedWithTheReason_AndTheLastGoodSetStays(string json, string reason)
    {
        using var escaper = new DirectFloatEscaper(Config(), _resolvers);
        Assert.True(escaper.Publish("{\"ipv4\": \"127.0.0.1\"}").Ok);

        var refused = escaper.Publish(json);

        Assert.False(refused.Ok);
        Assert.Contains(reason, refused.Message);
        Assert.Equal(["127.0.0.1"], Ips(escaper.Published(), "ipv4"));
    }

    [Fact]
    public void APublishOfOneFamily_KeepsTheOther()
    {
        using var escaper = new DirectFloatEscaper(Config(), _resolvers);
        Assert.True(escaper.Publish("{\"ipv4\": \"127.0.0.1\", \"ipv6\": \"::1\"}").Ok);
        Assert.True(escaper.Publish("{\"v4\": [\"127.0.0.2\", \"127.0.0.3\"]}").Ok);
        var back = escaper.Published();
        Assert.Equal(["127.0.0.2", "127.0.0.3"], Ips(back, "ipv4"));
        Assert.Equal(["::1"], Ips(back, "ipv6"));
    }

    [Fact]
    public void CacheFiles_KeepTheSetAcrossARestart()
    {
        using (var first = new DirectFloatEscaper(Config(cache: true), _resolvers))
            Assert.True(first.Publish("{\"ipv4\": \"127.0.0.1\", \"ipv6\": [\"::1\"]}").Ok);

        using var restarted = new DirectFloatEscaper(Config(cache: true), _resolvers);

        var back = restarted.Published();
        Assert.Equal(["127.0.0.1"], Ips(back, "ipv4"));
        Assert.Equal(["::1"], Ips(back, "ipv6"));
    }

    public void Dispose()
    {
        _target.Stop();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
