using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Float;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Escapers.Proxy;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Escapers.Float;

/// <summary>
/// proxy_float's egress path selection (g3's select_peer): a string id names a published peer, a JSON
/// value gives one whole, and a user's egress_path_id_map / egress_path_value_map come before the server's.
/// </summary>
public sealed class ProxyFloatSelectionTests
{
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));
    private readonly ManualTimeProvider _clock = new();

    private ProxyFloatEscaper Escaper() =>
        new(new ProxyFloatEscaperConfig { Name = "pfloat", Position = new ConfigPosition("escaper.yml", 1) }, _resolvers, time: _clock);

    private static string Peer(string id, int port, string extra = "") =>
        $$"""{"type": "http", "addr": "127.0.0.1:{{port}}", "id": "{{id}}"{{extra}}}""";

    private static EscapeRequest AsUser(Dictionary<string, string>? ids = null, Dictionary<string, string>? values = null)
    {
        var request = TestTasks.Tcp("example.test", 443);
        request.Task.UserEgressPath = EgressPathSelection.FromUser(ids ?? [], values ?? []);
        return request;
    }

    [Fact]
    public async Task UserIdMap_PicksThePeerWithThatId_EveryTime()
    {
        await using var one = new ScriptedProxy(ProxyAct.Echo);
        await using var two = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = Escaper();
        Assert.True(escaper.Publish($"[{Peer("one", one.Port)}, {Peer("two", two.Port)}]").Ok);

        for (var i = 0; i < 4; i++)
        {
            var result = await escaper.EscapeAsync(AsUser(ids: new() { ["pfloat"] = "two" }), CancellationToken.None);
            Assert.True(result.Ok, result.Reason);
            await result.DisposeUpstreamAsync();
        }

        Assert.Empty(one.Heads);
        Assert.Equal(4, two.Heads.Count);
    }

    [Fact]
    public async Task UserIdMap_ComesBeforeTheServersSelection()
    {
        await using var one = new ScriptedProxy(ProxyAct.Echo);
        await using var two = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = Escaper();
        Assert.True(escaper.Publish($"[{Peer("one", one.Port)}, {Peer("two", two.Port)}]").Ok);
        var request = AsUser(ids: new() { ["pfloat"] = "one" });
        request.Task.EgressPath = new EgressPathSelection();
        request.Task.EgressPath.SetStringId("pfloat", "two");

        var result = await escaper.EscapeAsync(request, CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Single(one.Heads);
        Assert.Empty(two.Heads);
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task UnknownOrExpiredId_FailsTheTask_NoOtherPeerIsUsed()
    {
        await using var one = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = Escaper();
        var expire = _clock.GetUtcNow().AddSeconds(10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Assert.True(escaper.Publish($"[{Peer("one", one.Port)}, {Peer("old", one.Port, $", \"expire\": \"{expire}\"")}]").Ok);
        _clock.Advance(TimeSpan.FromSeconds(11));

        var unknown = await escaper.EscapeAsync(AsUser(ids: new() { ["pfloat"] = "nope" }), CancellationToken.None);
        var expired = await escaper.EscapeAsync(AsUser(ids: new() { ["pfloat"] = "old" }), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.EscaperNotUsable, unknown.Error);
        Assert.Contains("no peer with id 'nope'", unknown.Reason);
        Assert.Equal(EscapeErrorKind.EscaperNotUsable, expired.Error);
        Assert.Contains("peer 'old' is expired", expired.Reason);
        Assert.Empty(one.Heads);
    }

    [Fact]
    public async Task UserValueMap_GivesThePeerWhole_WithoutAnyPublish()
    {
        await using var next = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = Escaper();
        var value = $$$"""{"type": "http", "addr": "127.0.0.1:{{{next.Port}}}", "extra_append_headers": {"X-Via-Value": "yes"}}""";

        for (var i = 0; i < 2; i++)
        {
            var result = await escaper.EscapeAsync(AsUser(values: new() { ["pfloat"] = value }), CancellationToken.None);
            Assert.True(result.Ok, result.Reason);
            await result.DisposeUpstreamAsync();
        }

        Assert.Equal(2, next.Heads.Count);
        Assert.All(next.Heads, h => Assert.Contains("\r\nX-Via-Value: yes\r\n", h));
        Assert.Equal("[]", escaper.Published());
    }

    [Theory]
    [InlineData("""{"type": "http", "addr": "127.0.0.1:1", "expire": "2024-01-01T00:00:00Z"}""", "expired peer json value")]
    [InlineData("""{"type": "http"}""", "invalid peer json value: a peer needs 'addr'")]
    [InlineData("""{"type": "https", "addr": "127.0.0.1:1"}""", "needs tls_client")]
    public async Task BadOrExpiredValue_FailsTheTask_WithTheReason(string value, string reason)
    {
        using var escaper = Escaper();

        var result = await escaper.EscapeAsync(AsUser(values: new() { ["pfloat"] = value }), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.EscaperNotUsable, result.Error);
        Assert.Contains(reason, result.Reason);
    }

    [Fact]
    public async Task MapsForAnotherEscaper_LeaveTheRandomPick()
    {
        await using var one = new ScriptedProxy(ProxyAct.Echo);
        using var escaper = Escaper();
        Assert.True(escaper.Publish(Peer("one", one.Port)).Ok);

        var result = await escaper.EscapeAsync(AsUser(ids: new() { ["other"] = "two" }), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Single(one.Heads);
        await result.DisposeUpstreamAsync();
    }
}
