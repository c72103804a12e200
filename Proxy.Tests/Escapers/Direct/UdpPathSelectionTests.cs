using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Escapers.Direct;

/// <summary>
/// direct_fixed's enable_path_selection for UDP (g3's get_bind_random, used by udp_connect and udp_relay):
/// a number id picks the socket's bind address among bind_ip, as it does for TCP; the peer sees it.
/// </summary>
public sealed class UdpPathSelectionTests
{
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    private static DirectFixedEscaperConfig Config(bool enabled) => new()
    {
        Name = "direct",
        Position = new ConfigPosition("escaper.yml", 1),
        BindIp = [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3"), IPAddress.Parse("127.0.0.4")],
        EnablePathSelection = enabled,
        EgressNetworkFilter = new NetworkAclRule([new NetworkAclEntry(IPNetwork.Parse("127.0.0.0/8"), AclAction.Permit)], AclAction.Forbid),
    };

    private async Task<IPAddress> SourceSeenAsync(DirectFixedEscaper escaper, UdpEcho echo, int? pathId)
    {
        var notes = TestTasks.Notes();
        if (pathId is { } id)
        {
            notes.EgressPath = new EgressPathSelection();
            notes.EgressPath.SetNumberId("direct", id);
        }
        var target = new UpstreamAddr("127.0.0.1", echo.EndPoint.Port);
        var result = await escaper.EscapeAsync(new EscapeRequest(notes, target, EscapeWant.Udp), CancellationToken.None);
        Assert.True(result.Ok, result.Reason);
        await using var udp = result.Udp!;
        Assert.True((await udp.SendToAsync(target, "x"u8.ToArray(), CancellationToken.None)).Ok);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var got = await udp.ReceiveAsync(new byte[16], wait.Token);
        Assert.Equal(echo.EndPoint, got.From);
        Assert.True(echo.Sources.TryDequeue(out var source));
        Assert.Equal(result.BindIp, source.Address);
        return source.Address;
    }

    [Theory]
    [InlineData(1, "127.0.0.2")]
    [InlineData(2, "127.0.0.3")]
    [InlineData(0, "127.0.0.4")] // 0 is the last
    [InlineData(5, "127.0.0.3")] // larger ids wrap
    public async Task PathId_PicksTheUdpBindAddress(int id, string expected)
    {
        await using var echo = new UdpEcho();
        using var escaper = new DirectFixedEscaper(Config(enabled: true), _resolvers);

        for (var i = 0; i < 3; i++)
            Assert.Equal(IPAddress.Parse(expected), await SourceSeenAsync(escaper, echo, id));
    }

    [Fact]
    public async Task WithoutEnablePathSelection_TheIdIsIgnored_AndAnyBindIpServes()
    {
        await using var echo = new UdpEcho();
        using var escaper = new DirectFixedEscaper(Config(enabled: false), _resolvers);
        var seen = new HashSet<IPAddress>();

        // g3 picks a random bind ip: in 60 tries all three turn up (a miss is (2/3)^60 ≈ 3e-11)
        for (var i = 0; i < 60 && seen.Count < 3; i++) seen.Add(await SourceSeenAsync(escaper, echo, 1));

        Assert.Equal(3, seen.Count);
    }
}
