using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// G3Actors' <c>route_region</c> (docs/cluster.md): rules map a destination to a region; the node's own
/// region and unmatched destinations go to <see cref="LocalNext"/>, another region through one of its
/// live relays (proxy_https to it, mTLS with <see cref="TlsClient"/>), and a region with no live relay
/// to <see cref="FallbackNode"/>. The replicated rules set with <c>pbm route</c> win over these on the
/// same kind and pattern.
/// </summary>
public sealed record RouteRegionEscaperConfig : EscaperConfig
{
    public override string TypeName => "RouteRegion";
    public string LocalNext { get; init; } = "";
    public string FallbackNode { get; init; } = "";
    public TlsClientConfig? TlsClient { get; init; }
    public string? ProxyUsername { get; init; }
    public string? ProxyPassword { get; init; }
    /// <summary>Bounds reaching a relay and its CONNECT reply; a relay that does not answer in time is skipped for the next.</summary>
    public TimeSpan PeerNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The static rules, in the replicated rules' form (kind, pattern, region).</summary>
    public IReadOnlyList<Cluster.RouteRule> Rules { get; init; } = [];

    public override IEnumerable<(string Key, string Name)> NextEscapers => [("local_next", LocalNext), ("fallback_node", FallbackNode)];
}
