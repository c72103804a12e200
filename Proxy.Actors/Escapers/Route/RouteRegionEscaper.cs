using System.Collections.Concurrent;
using Proxy.Actors.Cluster;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Handles;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// <c>route_region</c> (docs/cluster.md): the target's region by the rules (static merged with the
/// replicated ones); the node's own region or no match goes to local_next; another region through
/// its live relays, lowest load first, each dialled as a proxy_https hop (mTLS, the relay's TLS name
/// verified), the next one tried at once when a relay cannot be reached; none left, or none live,
/// goes to fallback_node. The task's <c>escaper</c> field names the region and the hop chosen.
/// </summary>
internal sealed class RouteRegionEscaper : IEscaper, IDisposable
{
    /// <summary>Hops kept for relays that left the directory are dropped beyond this many.</summary>
    private const int MaxHops = 64;

    private readonly RouteRegionEscaperConfig _config;
    private readonly HandleRegistry<IEscaper> _escapers;
    private readonly HandleRegistry<IResolver> _resolvers;
    private readonly TimeProvider _time;
    private readonly ClusterView _cluster;
    private readonly ConcurrentDictionary<(string Address, string TlsName), ProxyHttpEscaper> _hops = new();
    private RouteRegionRules _rules;

    public RouteRegionEscaper(RouteRegionEscaperConfig config, HandleRegistry<IEscaper> escapers, HandleRegistry<IResolver> resolvers,
        TimeProvider time, ClusterView cluster)
    {
        _config = config;
        _escapers = escapers;
        _resolvers = resolvers;
        _time = time;
        _cluster = cluster;
        _rules = RouteRegionRules.Compile(config.Name, config.Rules, cluster.Routes.Rules);
    }

    public string Name => _config.Name;
    public string TypeName => _config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        var region = Rules().RegionOf(request);
        if (region is null || region == _cluster.Region)
            return await Next(request, region ?? "-", "local", _config.LocalNext, ct).ConfigureAwait(false);

        var relays = _cluster.Relays.LiveRelays(region);
        var tried = new List<string>(relays.Count);
        foreach (var relay in relays.OrderBy(r => r.Load))
        {
            request.Task.Escaper = $"{Name}:{region}:relay={relay.Address}";
            var result = await Hop(relay).EscapeAsync(request, ct).ConfigureAwait(false);
            if (result.Ok || !Unreachable(result.Error)) return result;
            tried.Add($"{relay.Address}: {result.Reason}");
        }
        var fallback = await Next(request, region, "fallback", _config.FallbackNode, ct).ConfigureAwait(false);
        if (fallback.Ok || tried.Count == 0) return fallback;
        return fallback with { Reason = $"{fallback.Reason} (after region {region} relays failed: {string.Join("; ", tried)})" };
    }

    /// <summary>The compiled rules, recompiled only when the replicated snapshot was swapped.</summary>
    private RouteRegionRules Rules()
    {
        var snapshot = _cluster.Routes.Rules;
        var rules = Volatile.Read(ref _rules);
        if (ReferenceEquals(rules.Source, snapshot)) return rules;
        rules = RouteRegionRules.Compile(_config.Name, _config.Rules, snapshot);
        Volatile.Write(ref _rules, rules);
        return rules;
    }

    private ValueTask<EscapeResult> Next(EscapeRequest request, string region, string how, string next, CancellationToken ct)
    {
        request.Task.Escaper = $"{Name}:{region}:{how}={next}";
        return _escapers.Get(next).EscapeAsync(request, ct);
    }

    /// <summary>Failures that say the relay itself could not be used; others (its refusal, the target's) are the answer.</summary>
    private static bool Unreachable(EscapeErrorKind kind) => kind is EscapeErrorKind.ConnectRefused or EscapeErrorKind.ConnectTimeout
        or EscapeErrorKind.NetworkUnreachable or EscapeErrorKind.TlsHandshakeFailed or EscapeErrorKind.ConnectFailed;

    /// <summary>One proxy_https escaper per relay (address, TLS name), so its pooled connections are reused.</summary>
    private ProxyHttpEscaper Hop(RelayEndpoint relay)
    {
        var key = (relay.Address, relay.TlsName);
        if (_hops.TryGetValue(key, out var hop)) return hop;
        if (_hops.Count >= MaxHops) Prune();
        var created = new ProxyHttpEscaper(HopConfig(relay), _resolvers, connector: null, _time);
        hop = _hops.GetOrAdd(key, created);
        if (!ReferenceEquals(hop, created)) created.Dispose();
        return hop;
    }

    private ProxyHttpEscaperConfig HopConfig(RelayEndpoint relay) => new()
    {
        Name = _config.Name,
        Position = _config.Position,
        Https = true,
        ProxyAddr = [new Weighted<UpstreamAddr>(RequestTarget.ParseAuthority(relay.Address, ProxyHttpEscaperConfig.DefaultProxyPort)
            ?? new UpstreamAddr(relay.Address, ProxyHttpEscaperConfig.DefaultProxyPort))],
        TlsClient = _config.TlsClient ?? TlsClientConfig.Default,
        TlsName = relay.TlsName,
        ProxyUsername = _config.ProxyUsername,
        ProxyPassword = _config.ProxyPassword,
        PeerNegotiationTimeout = _config.PeerNegotiationTimeout,
    };

    /// <summary>
    /// A fleet that churned through many relays: start the cache over (a hop in use keeps its own
    /// connections; only its idle pooled ones close).
    /// </summary>
    private void Prune()
    {
        foreach (var key in _hops.Keys)
            if (_hops.TryRemove(key, out var old)) old.Dispose();
    }

    public void Dispose()
    {
        foreach (var hop in _hops.Values) hop.Dispose();
        _hops.Clear();
    }
}
