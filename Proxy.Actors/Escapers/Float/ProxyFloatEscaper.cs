using System.Text.Json;
using System.Text.Json.Nodes;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Escapers.Proxy;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Float;

/// <summary>
/// g3's <c>proxy_float</c>: the peers arrive by publish (one or a list; a publish replaces the set)
/// or from the redis source's polls and are written to the cache file, read back at start. Each request
/// goes through a random live peer: one past <c>expire</c> minus expire_guard_duration is skipped,
/// so peers drop out by themselves. An http/https peer is driven by the proxy_http escaper code
/// (CONNECT tunnels, pooled forwarding; its pool lives as long as the published set), a
/// socks5/socks5s peer by the proxy_socks5 code (TCP and UDP).
/// </summary>
public sealed class ProxyFloatEscaper : IEscaper, IPublishableEscaper, IDisposable
{
    private readonly ProxyFloatEscaperConfig _config;
    private readonly HandleRegistry<IResolver> _resolvers;
    private readonly ISocketConnector? _connector;
    private readonly TimeProvider _time;
    private readonly object _publishLock = new();
    private volatile IReadOnlyList<(FloatPeer Peer, IEscaper Escaper)> _peers = [];
    private readonly RedisPeerSource? _redis;
    private readonly ValuePeers _valuePeers;

    public ProxyFloatEscaper(ProxyFloatEscaperConfig config, HandleRegistry<IResolver> resolvers,
        ISocketConnector? connector = null, TimeProvider? time = null)
    {
        _config = config;
        _resolvers = resolvers;
        _connector = connector;
        _time = time ?? TimeProvider.System;
        if (LoadCache() is { } cached) _peers = Build(cached);
        _valuePeers = new ValuePeers(config, BuildOne);
        if (config.Redis is { } redis) _redis = new RedisPeerSource(redis, config.RefreshInterval, _time, Publish);
    }

    /// <summary>Why the last redis poll did not apply, if it did not.</summary>
    internal string? RedisError => _redis?.LastError;

    public string Name => _config.Name;
    public string TypeName => _config.TypeName;

    public ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        // g3's order: a peer named by the task's egress path id, then one given whole as JSON, then a random live one
        var (chosen, why) = request.Task.EgressStringId(Name) is { } id ? ById(id, now)
            : request.Task.EgressJsonValue(Name) is { } json ? _valuePeers.Get(json, now)
            : Random(now);
        return chosen is null ? new(EscapeResult.Fail(EscapeErrorKind.EscaperNotUsable, $"escaper '{Name}': {why}")) : chosen.EscapeAsync(request, ct);
    }

    private (IEscaper?, string?) Random(DateTimeOffset now)
    {
        var live = _peers.Where(p => p.Peer.LiveAt(now, _config.ExpireGuardDuration)).ToList();
        return live.Count == 0 ? (null, "no live peer published") : (live[System.Random.Shared.Next(live.Count)].Escaper, null);
    }

    /// <summary>The published peer with this id (the last one when ids repeat); a missing or expired one fails the task.</summary>
    private (IEscaper?, string?) ById(string id, DateTimeOffset now)
    {
        var named = _peers.LastOrDefault(p => p.Peer.Id == id);
        return named.Escaper is null ? (null, $"no peer with id '{id}' published")
            : !named.Peer.LiveAt(now, _config.ExpireGuardDuration) ? (null, $"peer '{id}' is expired")
            : (named.Escaper, null);
    }

    public PublishResult Publish(string json)
    {
        IReadOnlyList<FloatPeer> peers;
        try
        {
            using var doc = JsonDocument.Parse(json);
            peers = FloatPeer.ParseList(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return new(false, "invalid publish data: " + e.Message);
        }
        if (_config.TlsClient is null && peers.FirstOrDefault(p => p.Type is "https" or "socks5s") is { } tls)
            return new(false, $"{tls.Type} peer {tls.Addr} needs tls_client on escaper '{Name}'");
        try
        {
            if (_config.Cache is { } path) File.WriteAllText(path, json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(false, "cannot write the cache file: " + e.Message);
        }
        IReadOnlyList<(FloatPeer, IEscaper)> old;
        lock (_publishLock)
        {
            old = _peers;
            _peers = Build(peers);
        }
        foreach (var (_, escaper) in old) (escaper as IDisposable)?.Dispose();
        return new(true, $"published {peers.Count} peer(s)");
    }

    public string Published()
    {
        var now = _time.GetUtcNow();
        return new JsonArray(_peers.Where(p => p.Peer.LiveAt(now, _config.ExpireGuardDuration))
            .Select(p => JsonNode.Parse(p.Peer.Json)).ToArray()).ToJsonString();
    }

    private IReadOnlyList<(FloatPeer, IEscaper)> Build(IReadOnlyList<FloatPeer> peers) =>
        peers.Select(p => (p, BuildOne(p))).ToList();

    private IEscaper BuildOne(FloatPeer p) => p.Type.StartsWith("socks5", StringComparison.Ordinal)
        ? new ProxySocks5Escaper(SocksPeerConfig(p), _resolvers, _connector, _time)
        : new ProxyHttpEscaper(PeerConfig(p), _resolvers, _connector, _time);

    /// <summary>A socks5/socks5s peer as a proxy_socks5(s) config: the peer's address and login, the escaper's dialling.</summary>
    private ProxySocks5EscaperConfig SocksPeerConfig(FloatPeer peer)
    {
        var http = PeerConfig(peer);
        return new ProxySocks5EscaperConfig
        {
            Name = http.Name,
            Position = http.Position,
            Tls = peer.Type == "socks5s",
            TlsClient = peer.Type == "socks5s" ? _config.TlsClient : null,
            TlsName = http.TlsName,
            ProxyAddr = http.ProxyAddr,
            ProxyUsername = http.ProxyUsername,
            ProxyPassword = http.ProxyPassword,
            BindIpv4 = http.BindIpv4,
            BindIpv6 = http.BindIpv6,
            TcpConnect = http.TcpConnect,
            TcpKeepalive = http.TcpKeepalive,
            BindInterface = http.BindInterface,
            TcpMiscOpts = http.TcpMiscOpts,
            TcpSockSpeedLimit = http.TcpSockSpeedLimit,
            PeerNegotiationTimeout = http.PeerNegotiationTimeout,
            UdpSockSpeedLimit = peer.UdpSockSpeedLimit,
            TransmuteUdpPeerIp = peer.TransmuteUdpPeerIp,
            EndOnControlClosed = peer.EndOnControlClosed,
        };
    }

    private ProxyHttpEscaperConfig PeerConfig(FloatPeer peer) => new()
    {
        Name = _config.Name,
        Position = _config.Position,
        Https = peer.Type == "https",
        TlsClient = peer.Type == "https" ? _config.TlsClient : null,
        TlsName = peer.TlsName,
        ProxyAddr = [new Weighted<UpstreamAddr>(new UpstreamAddr(peer.Addr.Address.ToString(), peer.Addr.Port))],
        ProxyUsername = peer.Username,
        ProxyPassword = peer.Password,
        HttpConnectRspHeaderMaxSize = peer.HttpConnectRspHeaderMaxSize,
        AppendHeaders = peer.ExtraAppendHeaders,
        BindIpv4 = _config.BindIpv4,
        BindIpv6 = _config.BindIpv6,
        TcpConnect = new TcpConnectConfig(MaxRetry: 0, EachTimeoutOrDefault: _config.TcpConnectTimeout),
        TcpKeepalive = _config.TcpKeepalive,
        BindInterface = _config.BindInterface,
        TcpMiscOpts = _config.TcpMiscOpts,
        TcpSockSpeedLimit = peer.TcpSockSpeedLimit ?? _config.TcpSockSpeedLimit,
        PeerNegotiationTimeout = _config.PeerNegotiationTimeout,
    };

    /// <summary>The last good set from the cache file; an absent or unreadable file gives none.</summary>
    private IReadOnlyList<FloatPeer>? LoadCache()
    {
        if (_config.Cache is not { } path || !File.Exists(path)) return null;
        try
        {
            var text = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(text)) return null;
            using var doc = JsonDocument.Parse(text);
            return FloatPeer.ParseList(doc.RootElement);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _redis?.Dispose();
        _valuePeers.Dispose();
        foreach (var (_, escaper) in _peers) (escaper as IDisposable)?.Dispose();
    }
}
