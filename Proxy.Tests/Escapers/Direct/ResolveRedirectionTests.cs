using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Tests.Config.Escapers;

namespace Proxy.Tests.Escapers.Direct;

public sealed class ResolveRedirectionTests : IDisposable
{
    /// <summary>Knows only the names redirection leads to; anything else is NXDOMAIN.</summary>
    private sealed class AliasResolver : IResolver
    {
        public List<string> Asked { get; } = [];
        public string Name => "r";

        public ValueTask<ResolveResult> ResolveAsync(string host, AddressFamily family, CancellationToken ct)
        {
            lock (Asked) Asked.Add(host);
            return new(host is "alias.test" or "www.b.test" && family == AddressFamily.InterNetwork
                ? new ResolveResult([IPAddress.Loopback], ResolveErrorKind.None)
                : ResolveResult.Fail(ResolveErrorKind.NotFound, "nxdomain"));
        }
    }

    private readonly TcpListener _target = new(IPAddress.Loopback, 0);
    private readonly AliasResolver _resolver = new();
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    public ResolveRedirectionTests()
    {
        _target.Start();
        _resolvers.Publish("r", _resolver);
    }

    private DirectFixedEscaper Escaper(string keys)
    {
        var config = (DirectFixedEscaperConfig)Assert.Single(EscaperConfigLoad.Load(
            "  - name: d\n    type: direct_fixed\n    resolver: r\n    resolve_strategy: ipv4_only\n" + keys).Escapers);
        return new DirectFixedEscaper(config with { EgressNetworkFilter = new NetworkAclRule([], AclAction.Permit) }, _resolvers);
    }

    private async Task<EscapeResult> Connect(DirectFixedEscaper escaper, string host)
    {
        var result = await escaper.EscapeAsync(TestTasks.Tcp(host, ((IPEndPoint)_target.LocalEndpoint).Port), CancellationToken.None);
        await result.DisposeUpstreamAsync();
        return result;
    }

    [Fact]
    public async Task ExactToIps_ExactToName_AndParent_ReachTheirTargets()
    {
        using var escaper = Escaper("""
                resolve_redirection:
                  - exact: fixed.test
                    to: [127.0.0.1, "::1"]
                  - exact: named.test
                    to: alias.test
                  - parent: a.example
                    to: b.test
            """);

        var fixedIps = await Connect(escaper, "fixed.test");
        var named = await Connect(escaper, "Named.Test.");
        var child = await Connect(escaper, "www.a.example");
        var plain = await Connect(escaper, "other.test");

        Assert.True(fixedIps.Ok, fixedIps.Reason);
        Assert.Equal(IPAddress.Loopback, fixedIps.PeerAddr!.Address);
        Assert.True(named.Ok, named.Reason);
        Assert.True(child.Ok, child.Reason);
        Assert.Equal(EscapeErrorKind.ResolveFailed, plain.Error);
        Assert.Equal(["alias.test", "www.b.test", "other.test"], _resolver.Asked);
    }

    [Fact]
    public async Task MapForm_IsExactRules()
    {
        using var escaper = Escaper("    resolve_redirection: {fixed.test: 127.0.0.1}\n");

        var result = await Connect(escaper, "fixed.test");

        Assert.True(result.Ok, result.Reason);
        Assert.Empty(_resolver.Asked);
    }

    [Fact]
    public async Task UsersRedirection_IsAskedBeforeTheEscapers_AndOnlyForThatUsersTasks()
    {
        using var escaper = Escaper("    resolve_redirection: {both.test: other.test}\n");
        var user = new UserEscape(null, new ResolveRedirectionTable([
            new ResolveRedirection(false, "both.test", [], "alias.test"),
            new ResolveRedirection(false, "mine.test", [IPAddress.Loopback], null),
        ]), "staff/root");
        var port = ((IPEndPoint)_target.LocalEndpoint).Port;

        async Task<EscapeResult> As(UserEscape? u, string host)
        {
            var result = await escaper.EscapeAsync(TestTasks.Tcp(host, port) with { UserEscape = u }, CancellationToken.None);
            await result.DisposeUpstreamAsync();
            return result;
        }

        var mine = await As(user, "mine.test");
        var both = await As(user, "both.test");
        var nobodys = await As(null, "both.test");

        Assert.True(mine.Ok, mine.Reason);
        Assert.True(both.Ok, both.Reason);
        Assert.Equal(EscapeErrorKind.ResolveFailed, nobodys.Error);
        Assert.Equal(["alias.test", "other.test"], _resolver.Asked);
    }

    [Theory]
    [InlineData(ResolveQuery.Ipv4First, ResolveQuery.Ipv6Only, ResolveQuery.Ipv6Only)]
    [InlineData(ResolveQuery.Ipv6First, ResolveQuery.Ipv4First, ResolveQuery.Ipv4First)]
    [InlineData(ResolveQuery.Ipv4Only, ResolveQuery.Ipv6Only, ResolveQuery.Ipv4Only)]
    [InlineData(ResolveQuery.Ipv6Only, ResolveQuery.Ipv4First, ResolveQuery.Ipv6Only)]
    public void AdjustTo_AnEscaperBoundToOneFamilyKeepsIt_ElseTheUsersQuery_AlwaysTheUsersPick(ResolveQuery escaper, ResolveQuery user, ResolveQuery expected) =>
        Assert.Equal(new ResolveStrategy(expected, ResolvePick.First),
            new ResolveStrategy(escaper, ResolvePick.Random).AdjustTo(new ResolveStrategy(user, ResolvePick.First)));

    [Fact]
    public async Task BindInterface_BindsTheSocketToTheDevice()
    {
        using var lo = Escaper("    bind_interface: lo\n");
        using var missing = Escaper("    bind_interface: nosuchif0\n");

        var viaLo = await Connect(lo, "127.0.0.1");
        var viaMissing = await Connect(missing, "127.0.0.1");

        Assert.True(viaLo.Ok, viaLo.Reason);
        Assert.False(viaMissing.Ok);
        Assert.NotEqual(EscapeErrorKind.None, viaMissing.Error);
        Assert.Contains("invalid interface name", EscaperConfigLoad.Refused("  - name: d\n    type: direct_fixed\n    resolver: r\n    bind_interface: a-very-long-interface-name\n").Message);
    }

    public void Dispose() => _target.Stop();
}
