using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Escapers.Route.Query;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Actors.Audit.CertAgent;

/// <summary>
/// g3's tls_cert_agent (lib/g3-cert-agent): asks the certificate generator over UDP and caches answers
/// by (service, usage, host) in g3's effective cache (<see cref="EffectiveCache{TKey, TValue}"/>, the
/// one route_query uses: stale answers served while refreshed, shared queries, protective TTL for a
/// silent generator, the caller's wait bounded by cache_request_timeout).
/// </summary>
public sealed class TlsCertAgent : IAsyncDisposable
{
    private readonly CertAgentConfig _config;
    private readonly UdpPeerSocket _socket;
    private readonly EffectiveCache<CertCacheKey, InterceptionCert> _cache;
    private long _queriesSent;

    public TlsCertAgent(CertAgentConfig config, TimeProvider time)
    {
        _config = config;
        var settings = new EffectiveCacheSettings(config.CacheRequestTimeout, config.QueryWaitTimeout,
            config.ProtectiveCacheTtl, config.MaximumCacheTtl, config.CacheVanishWait);
        _cache = new EffectiveCache<CertCacheKey, InterceptionCert>(settings, time,
            key => Send(new CertGenRequest(key.Host, key.Service, key.Usage, null)), _ => { },
            key => $"no answer for {key.Host} from the generator at {config.QueryPeerAddr} within {config.QueryWaitTimeout.TotalSeconds:0.###}s");
        var buffer = new Config.Values.SocketBufferConfig(config.QuerySocketBuffer.Receive, config.QuerySocketBuffer.Send);
        _socket = new UdpPeerSocket(config.QueryPeerAddr, buffer, OnDatagram);
    }

    /// <summary>Datagrams sent to the generator so far (tests and stats read it).</summary>
    public long QueriesSent => Interlocked.Read(ref _queriesSent);

    /// <summary>
    /// g3's pre_fetch: the cached certificate for the host, without asking the generator. Interception
    /// calls it while the upstream handshake runs, then <see cref="FetchAsync"/> with the real certificate on a miss.
    /// </summary>
    public InterceptionCert? TryGetCached(string host, TlsServiceType service = TlsServiceType.Http, TlsCertUsage usage = TlsCertUsage.TlsServer) =>
        _cache.TryPeek(new CertCacheKey(service, usage, host));

    /// <summary>
    /// A certificate for <paramref name="host"/>; <paramref name="mimicCertDer"/> is the real upstream
    /// leaf when known (sent as the template, not part of the cache key, as in g3).
    /// </summary>
    public async Task<CertAgentResult> FetchAsync(string host, byte[]? mimicCertDer = null,
        TlsServiceType service = TlsServiceType.Http, TlsCertUsage usage = TlsCertUsage.TlsServer, CancellationToken ct = default)
    {
        var request = new CertGenRequest(host, service, usage, mimicCertDer);
        var fetched = await _cache.FetchAsync(request.Key, ct, _ => Send(request)).ConfigureAwait(false);
        if (fetched.Value is { } cert) return new CertAgentResult(cert, null);
        return CertAgentResult.Fail(fetched.WaitExpired
            ? $"no certificate for {host} from the generator at {_config.QueryPeerAddr} within {_config.CacheRequestTimeout.TotalSeconds:0.###}s"
            : fetched.Reason ?? $"no certificate for {host}");
    }

    private string? Send(CertGenRequest request)
    {
        var error = _socket.Send(CertGenCodec.EncodeRequest(request));
        if (error is null) Interlocked.Increment(ref _queriesSent);
        return error;
    }

    /// <summary>g3 logs and drops a bad answer; its query then times out into the protective TTL.</summary>
    private void OnDatagram(ReadOnlyMemory<byte> datagram)
    {
        if (CertGenCodec.DecodeResponse(datagram, out _) is not { } response) return;
        if (CertPairDecoder.Decode(response, out _) is not { } cert) return;
        _cache.Answer(response.CacheKey, cert, response.Ttl);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _cache.Dispose();
        return ValueTask.CompletedTask;
    }
}
