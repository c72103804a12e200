using System.Net.Sockets;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Cache;

namespace Proxy.Actors.Resolvers.CAres;

/// <summary>
/// g3's <c>c-ares</c> resolver: DnsClient upstream (<see cref="DnsClientDriver"/>) behind
/// g3's cache (<see cref="ResolverCache"/>). This object is the published handle; a reload
/// publishes a new one (with an empty cache), running lookups finish on the old one.
/// </summary>
public sealed class CAresResolver : IResolver
{
    private readonly ResolverCache _cache;

    public CAresResolver(CAresResolverConfig config, TimeProvider? time = null)
    {
        Config = config;
        // DnsClient for the usual case; our own sockets only when the source address is fixed.
        ResolveDriverQuery query = config.BindIpv4 is not null || config.BindIpv6 is not null
            ? new BoundDnsDriver(config, time ?? TimeProvider.System).QueryAsync
            : new DnsClientDriver(config).QueryAsync;
        _cache = new ResolverCache(
            query,
            new CacheTtlPolicy(config.PositiveMinTtl, config.PositiveMaxTtl, config.NegativeMinTtl),
            config.ProtectiveQueryTimeout,
            time);
    }

    public CAresResolverConfig Config { get; }

    public string Name => Config.Name;

    /// <summary>Entries held now (for the stats/control plane).</summary>
    public int CachedEntries => _cache.Count;

    public ValueTask<ResolveResult> ResolveAsync(string host, AddressFamily family, CancellationToken ct) =>
        _cache.GetAsync(host, family, ct);
}
