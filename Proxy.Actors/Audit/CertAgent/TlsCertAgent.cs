using System.Net.Sockets;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Actors.Audit.CertAgent;

/// <summary>
/// g3's tls_cert_agent (lib/g3-cert-agent + g3-io-ext effective cache): asks the certificate generator
/// over UDP and caches answers by (service, usage, host).
/// <list type="bullet">
/// <item>A cached answer is returned at once, even past its TTL; past the TTL it is also refreshed in the background.
/// An entry vanishes cache_vanish_wait after its TTL.</item>
/// <item>Concurrent fetches of one key share one query. No answer within query_wait_timeout stores an
/// empty answer for protective_cache_ttl, so a dead generator is not asked for every connection.</item>
/// <item>A caller waits at most cache_request_timeout, then gets a failure with the reason.</item>
/// <item>The answer's TTL: 0 means protective_cache_ttl, above maximum_cache_ttl is cut to it.</item>
/// </list>
/// </summary>
public sealed class TlsCertAgent : IAsyncDisposable
{
    /// <summary>g3 does not bound this cache; G3Actors does, so a scan of many names cannot grow it without end.</summary>
    public const int MaxEntries = 16384;

    private sealed record Entry(InterceptionCert? Cert, string? Error, DateTimeOffset ExpireAt, DateTimeOffset VanishAt);

    private sealed class Pending(ITimer? timer)
    {
        public readonly TaskCompletionSource<Entry> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ITimer? Timer = timer;
    }

    private readonly CertAgentConfig _config;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private readonly Dictionary<CertCacheKey, Entry> _cache = [];
    private readonly Queue<CertCacheKey> _order = new();
    private readonly Dictionary<CertCacheKey, Pending> _pending = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;
    private long _queriesSent;

    public TlsCertAgent(CertAgentConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _socket = new Socket(config.QueryPeerAddr.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (config.QuerySocketBuffer.Receive is { } r) _socket.ReceiveBufferSize = r;
        if (config.QuerySocketBuffer.Send is { } s) _socket.SendBufferSize = s;
        _socket.Connect(config.QueryPeerAddr);
        _receive = ReceiveLoopAsync(_stop.Token);
    }

    /// <summary>Datagrams sent to the generator so far (tests and stats read it).</summary>
    public long QueriesSent => Interlocked.Read(ref _queriesSent);

    /// <summary>
    /// g3's pre_fetch: the cached certificate for the host, without asking the generator. Interception
    /// calls it while the upstream handshake runs, then <see cref="FetchAsync"/> with the real certificate on a miss.
    /// </summary>
    public InterceptionCert? TryGetCached(string host, TlsServiceType service = TlsServiceType.Http, TlsCertUsage usage = TlsCertUsage.TlsServer)
    {
        lock (_lock)
            return _cache.TryGetValue(new CertCacheKey(service, usage, host), out var hit) && hit.VanishAt > _time.GetUtcNow() ? hit.Cert : null;
    }

    /// <summary>
    /// A certificate for <paramref name="host"/>; <paramref name="mimicCertDer"/> is the real upstream
    /// leaf when known (sent as the template, not part of the cache key, as in g3).
    /// </summary>
    public async Task<CertAgentResult> FetchAsync(string host, byte[]? mimicCertDer = null,
        TlsServiceType service = TlsServiceType.Http, TlsCertUsage usage = TlsCertUsage.TlsServer, CancellationToken ct = default)
    {
        var request = new CertGenRequest(host, service, usage, mimicCertDer);
        var key = request.Key;
        Task<Entry> wait;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_cache.TryGetValue(key, out var hit) && hit.VanishAt > now)
            {
                if (hit.ExpireAt <= now && !_pending.ContainsKey(key)) StartQuery(request);
                return Result(hit, host);
            }
            wait = _pending.TryGetValue(key, out var p) ? p.Done.Task : StartQuery(request).Done.Task;
        }
        try
        {
            return Result(await wait.WaitAsync(_config.CacheRequestTimeout, _time, ct), host);
        }
        catch (TimeoutException)
        {
            return CertAgentResult.Fail(
                $"no certificate for {host} from the generator at {_config.QueryPeerAddr} within {_config.CacheRequestTimeout.TotalSeconds:0.###}s");
        }
    }

    private static CertAgentResult Result(Entry e, string host) =>
        e.Cert is not null ? new CertAgentResult(e.Cert, null) : CertAgentResult.Fail(e.Error ?? $"no certificate for {host}");

    /// <summary>Under the lock: registers the query, arms its wait timer and sends the datagram.</summary>
    private Pending StartQuery(CertGenRequest request)
    {
        var key = request.Key;
        var pending = new Pending(null);
        _pending[key] = pending;
        pending.Timer = _time.CreateTimer(_ => Complete(key, pending, Empty(
                $"no answer for {request.Host} from the generator at {_config.QueryPeerAddr} within {_config.QueryWaitTimeout.TotalSeconds:0.###}s")),
            null, _config.QueryWaitTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            _socket.Send(CertGenCodec.EncodeRequest(request));
            Interlocked.Increment(ref _queriesSent);
        }
        catch (SocketException e)
        {
            // as g3: a failed send is an empty answer at once
            var entry = Empty($"cannot send to the generator at {_config.QueryPeerAddr}: {e.Message}");
            ThreadPool.UnsafeQueueUserWorkItem(_ => Complete(key, pending, entry), null);
        }
        return pending;
    }

    private Entry Empty(string reason)
    {
        var expire = _time.GetUtcNow().AddSeconds(_config.ProtectiveCacheTtl);
        return new Entry(null, reason, expire, expire + _config.CacheVanishWait);
    }

    /// <summary>Stores the answer and wakes the waiters, once per query: a late answer after the timeout is dropped, as in g3.</summary>
    private void Complete(CertCacheKey key, Pending pending, Entry entry)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(key, out var current) || current != pending) return;
            _pending.Remove(key);
            pending.Timer?.Dispose();
            if (!_cache.ContainsKey(key)) _order.Enqueue(key);
            _cache[key] = entry;
            Trim();
        }
        pending.Done.TrySetResult(entry);
    }

    /// <summary>Drops vanished entries first, then the oldest, down to <see cref="MaxEntries"/>.</summary>
    private void Trim()
    {
        if (_cache.Count <= MaxEntries) return;
        var now = _time.GetUtcNow();
        foreach (var k in _cache.Where(e => e.Value.VanishAt <= now).Select(e => e.Key).ToList()) _cache.Remove(k);
        while (_cache.Count > MaxEntries && _order.TryDequeue(out var old)) _cache.Remove(old);
        if (_order.Count > 2 * MaxEntries)
        {
            var live = _order.Where(_cache.ContainsKey).Distinct().ToList();
            _order.Clear();
            foreach (var k in live) _order.Enqueue(k);
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[65536];
        while (!ct.IsCancellationRequested)
        {
            int n;
            try { n = await _socket.ReceiveAsync(buffer, SocketFlags.None, ct); }
            catch (OperationCanceledException) { return; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // no generator listening yet: the query times out into the protective TTL
            }
            catch (ObjectDisposedException) { return; }
            var response = CertGenCodec.DecodeResponse(buffer.AsMemory(0, n), out _);
            if (response is null) continue; // g3 logs and drops a bad answer; the query then times out
            var cert = CertPairDecoder.Decode(response, out _);
            if (cert is null) continue;
            var ttl = response.Ttl == 0 ? _config.ProtectiveCacheTtl : Math.Min(response.Ttl, _config.MaximumCacheTtl);
            var expire = _time.GetUtcNow().AddSeconds(ttl);
            var key = response.CacheKey;
            Pending? pending;
            lock (_lock) _pending.TryGetValue(key, out pending);
            if (pending is not null) Complete(key, pending, new Entry(cert, null, expire, expire + _config.CacheVanishWait));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _receive;
        _stop.Dispose();
        lock (_lock)
            foreach (var p in _pending.Values) p.Timer?.Dispose();
    }
}
