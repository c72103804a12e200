using Proxy.Tests.Cluster;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// Two nodes in one cluster (regions a and b), each an http_proxy on a <c>proxy_float</c> escaper named
/// <c>float</c> with no peer yet, and an origin. Shared by the fleet-control tests of one class.
/// </summary>
public sealed class FleetNodes : IAsyncLifetime
{
    public static readonly TimeSpan FanOutTimeout = TimeSpan.FromSeconds(3);

    public const string Yaml = """
        log: stdout
        resolver:
          - name: default
            type: c-ares
            server: 127.0.0.1
        escaper:
          - name: float
            type: proxy_float
        server:
          - name: http
            type: http_proxy
            escaper: float
            listen: 127.0.0.1:0
        """;

    public ProxyUnderTest A { get; private set; } = null!;
    public ProxyUnderTest B { get; private set; } = null!;
    public TestOrigin Origin { get; private set; } = null!;
    public int SeedPort { get; private set; }

    /// <summary>Both nodes see exactly their two members again (after a test added and removed one).</summary>
    public bool BackToTwo() =>
        new[] { A, B }.All(n => Akka.Cluster.Cluster.Get(n.Node.ClusterSystem).State.Members.Count == 2);

    public string AddressOf(ProxyUnderTest node) => $"127.0.0.1:{node.Node.ClusterAddress.Port}";

    public async Task InitializeAsync()
    {
        Origin = await TestOrigin.StartAsync();
        SeedPort = ClusterTestNodes.FreePort();
        string[] seeds = [$"127.0.0.1:{SeedPort}"];
        A = await ProxyUnderTest.StartAsync(Yaml, options: o => o with { ClusterPort = SeedPort, Seeds = seeds, Region = "a", FanOutTimeout = FanOutTimeout });
        B = await ProxyUnderTest.StartAsync(Yaml, options: o => o with { Seeds = seeds, Region = "b", FanOutTimeout = FanOutTimeout });
        if (!await Eventually.True(() => ClusterTestNodes.AllUp(A.Node.ClusterSystem, 2) && ClusterTestNodes.AllUp(B.Node.ClusterSystem, 2), TimeSpan.FromSeconds(30)))
            throw new InvalidOperationException("the two fleet nodes did not form a cluster within 30 s");
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
