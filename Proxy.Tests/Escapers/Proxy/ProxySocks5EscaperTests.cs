using System.Text;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Escapers.Proxy;

public sealed class ProxySocks5EscaperTests
{
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    private static ProxySocks5EscaperConfig Config(int port, string? user = null, string? password = null) => new()
    {
        Name = "socks",
        Position = new ConfigPosition("escaper.yml", 1),
        ProxyAddr = [new Weighted<UpstreamAddr>(new UpstreamAddr("127.0.0.1", port))],
        ProxyUsername = user,
        ProxyPassword = password,
        PeerNegotiationTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Connect_LogsIn_SendsTheNameAsIs_AndTheTunnelCarriesBytes()
    {
        await using var next = new ScriptedSocks5Proxy(("u", "p"));
        using var escaper = new ProxySocks5Escaper(Config(next.Port, "u", "p"), _resolvers);

        var result = await escaper.EscapeAsync(TestTasks.Tcp("origin.example", 8080), CancellationToken.None);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal(["u:p"], next.Logins);
        // a name goes as a name (ATYP 3): the next proxy resolves it
        Assert.Equal([new UpstreamAddr("origin.example", 8080)], next.Targets);
        await result.Stream!.WriteAsync(Encoding.ASCII.GetBytes("ping"));
        var buffer = new byte[4];
        await result.Stream.ReadExactlyAsync(buffer);
        Assert.Equal("ping", Encoding.ASCII.GetString(buffer));
        await result.DisposeUpstreamAsync();
    }

    [Fact]
    public async Task WrongPassword_IsPeerRefused_WithTheReason()
    {
        await using var next = new ScriptedSocks5Proxy(("u", "p"));
        using var escaper = new ProxySocks5Escaper(Config(next.Port, "u", "wrong"), _resolvers);

        var result = await escaper.EscapeAsync(TestTasks.Tcp("origin.example", 80), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.PeerRefused, result.Error);
        Assert.Contains("auth failed with next proxy", result.Reason);
        Assert.Empty(next.Targets);
    }

    [Fact]
    public async Task NoUsername_OnAProxyThatWantsOne_IsPeerRefused()
    {
        await using var next = new ScriptedSocks5Proxy(("u", "p"));
        using var escaper = new ProxySocks5Escaper(Config(next.Port), _resolvers);

        var result = await escaper.EscapeAsync(TestTasks.Tcp("origin.example", 80), CancellationToken.None);

        Assert.Equal(EscapeErrorKind.PeerRefused, result.Error);
        Assert.Contains("no usable auth method", result.Reason);
    }
}
