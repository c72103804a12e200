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

    public CAresResolver(CAresResolverConfig config, TimeProvider? time = null, Stats.ResolverStats? stats = null,
        Logging.TaskLogger? logger = null)
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
            time,
            stats: stats,
            failureLog: logger is { ResolveEnabled: true } ? FailureLog(config, logger) : null);
    }

    public CAresResolverConfig Config { get; }

    /// <summary>g3's c-ares resolve log adds the servers and bind addresses to the shared keys.</summary>
    private static ResolveFailureLog FailureLog(CAresResolverConfig config, Logging.TaskLogger logger)
    {
        var extra = new List<KeyValuePair<string, string>> { new("server", string.Join(',', config.Servers)) };
        if (config.BindIpv4 is { } v4) extra.Add(new("bind_ipv4", v4.ToString()));
        if (config.BindIpv6 is { } v6) extra.Add(new("bind_ipv6", v6.ToString()));
        return (host, family, spent, error) =>
            logger.LogResolve(config.TypeName, config.Name, host, family, spent, fromCache: false, error, extra);
    }

    public string Name => Config.Name;

    /// <summary>Entries held now (for the stats/control plane).</summary>
    public int CachedEntries => _cache.Count;

    public ValueTask<ResolveResult> ResolveAsync(string host, AddressFamily family, CancellationToken ct) =>
        _cache.GetAsync(host, family, ct);
}
