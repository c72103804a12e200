using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Handles;
using Proxy.Actors.Protocols.RouteQuery;

namespace Proxy.Actors.Escapers.Route.Query;

/// <summary>
/// g3's <c>route_query</c>: asks the agent at query_peer_addr (UDP msgpack, g3's protocol) which next
/// escapers serve (user, host[, client ip]), through g3's effective cache; picks one of the answered
/// nodes by cache_pick_policy (hash key: the client IP). No answer within cache_request_timeout, an
/// empty answer, or a picked name not in query_allowed_next: fallback_node.
/// </summary>
internal sealed class RouteQueryEscaper : IEscaper, IDisposable
{
    /// <summary>Queries in flight at once; beyond this a new key is answered empty (the fallback) until some finish.</summary>
    private const int MaxInFlight = 4096;

    private readonly RouteQueryEscaperConfig _config;
    private readonly HandleRegistry<IEscaper> _escapers;
    private readonly HashSet<string> _allowed;
    private readonly EffectiveCache<RouteQueryKey, SelectiveVector<string>> _cache;
    private readonly UdpPeerSocket _socket;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, RouteQueryKey> _byId = [];
    private readonly Dictionary<RouteQueryKey, Guid> _idOf = [];
    private readonly Stats.EscaperStats? _stats;

    public RouteQueryEscaper(RouteQueryEscaperConfig config, HandleRegistry<IEscaper> escapers, TimeProvider time, Stats.EscaperStats? stats = null)
    {
        _stats = stats;
        _config = config;
        _escapers = escapers;
        _allowed = [.. config.QueryAllowedNext];
        var settings = new EffectiveCacheSettings(config.CacheRequestTimeout, config.QueryWaitTimeout,
            config.ProtectiveCacheTtl, config.MaximumCacheTtl, config.CacheVanishWait);
        _cache = new EffectiveCache<RouteQueryKey, SelectiveVector<string>>(settings, time, Send, Forget);
        _socket = new UdpPeerSocket(config.QueryPeerAddr, config.QuerySocketBuffer, OnDatagram);
    }

    public string Name => _config.Name;
    public string TypeName => _config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        // a route escaper's task count is the requests it passed on (g3's route.request_passed)
        _stats?.TaskStarted();
        return await _escapers.Get(await SelectAsync(request, ct).ConfigureAwait(false)).EscapeAsync(request, ct).ConfigureAwait(false);
    }

    internal async Task<string> SelectAsync(EscapeRequest request, CancellationToken ct)
    {
        var clientIp = request.ClientAddr?.Address is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "";
        var key = new RouteQueryKey(request.UserName ?? "", request.Target.Host, _config.QueryPassClientIp ? clientIp : null);
        var nodes = (await _cache.FetchAsync(key, ct).ConfigureAwait(false)).Value;
        var picked = nodes?.Pick(_config.CachePickPolicy, clientIp);
        return picked is not null && _allowed.Contains(picked) ? picked : _config.FallbackNode;
    }

    private string? Send(RouteQueryKey key)
    {
        var id = Guid.NewGuid();
        lock (_lock)
        {
            if (_byId.Count >= MaxInFlight) return "too many queries in flight";
            if (_idOf.Remove(key, out var old)) _byId.Remove(old);
            _byId[id] = key;
            _idOf[key] = id;
        }
        var error = _socket.Send(RouteQueryCodec.EncodeRequest(id, key));
        if (error is not null) Forget(key);
        return error;
    }

    private void Forget(RouteQueryKey key)
    {
        lock (_lock)
            if (_idOf.Remove(key, out var id)) _byId.Remove(id);
    }

    private void OnDatagram(ReadOnlyMemory<byte> datagram)
    {
        // g3 drops a bad answer; its query then ends empty at query_wait_timeout.
        if (RouteQueryCodec.DecodeResponse(datagram, out _) is not { } answer) return;
        RouteQueryKey? key;
        lock (_lock)
        {
            if (!_byId.Remove(answer.Id, out key)) return;
            _idOf.Remove(key);
        }
        var nodes = answer.Nodes.Count == 0 ? null : new SelectiveVector<string>(answer.Nodes, n => n);
        _cache.Answer(key, nodes, answer.Ttl);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _cache.Dispose();
    }
}
