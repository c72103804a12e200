namespace Proxy.Actors.Escapers.Route.Query;

/// <summary>g3's effective cache settings (route_query's cache_* and query_* keys).</summary>
internal sealed record EffectiveCacheSettings(
    TimeSpan RequestTimeout, TimeSpan QueryWaitTimeout, uint ProtectiveTtl, uint MaximumTtl, TimeSpan VanishWait);

/// <summary>
/// One fetch: the value, or none with the empty answer's reason (null when the caller's
/// RequestTimeout ran out first: <see cref="WaitExpired"/>).
/// </summary>
internal readonly record struct CacheFetch<TValue>(TValue? Value, string? Reason, bool WaitExpired) where TValue : class;

/// <summary>
/// g3's effective cache (g3-io-ext) in front of a UDP query peer (route_query's agent, the auditor's
/// certificate generator):
/// <list type="bullet">
/// <item>A cached answer is returned at once, even past its TTL (then refreshed in the background);
/// it vanishes VanishWait after its TTL.</item>
/// <item>Concurrent fetches of one key share one query. No answer within QueryWaitTimeout stores an
/// empty answer for the protective TTL, so a dead peer is not asked on every request.</item>
/// <item>A caller waits at most RequestTimeout, then gets no answer.</item>
/// <item>TTL 0 means the protective TTL; above the maximum it is cut to it.</item>
/// </list>
/// </summary>
internal sealed class EffectiveCache<TKey, TValue> : IDisposable where TKey : notnull where TValue : class
{
    /// <summary>g3 does not bound its cache; G3Actors does, so many distinct keys cannot grow it without end.</summary>
    public const int MaxEntries = 16384;

    private sealed record Entry(TValue? Value, string? Reason, DateTimeOffset ExpireAt, DateTimeOffset VanishAt);

    private sealed class Pending
    {
        public readonly TaskCompletionSource<Entry> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ITimer? Timer;
    }

    private readonly EffectiveCacheSettings _settings;
    private readonly TimeProvider _time;
    private readonly Func<TKey, string?> _send;
    private readonly Action<TKey> _abandoned;
    private readonly Func<TKey, string>? _noAnswer;
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, Entry> _cache = [];
    private readonly Dictionary<TKey, Pending> _pending = [];

    /// <param name="send">Sends the query for a key; a reason when it could not be sent (an empty answer at once).</param>
    /// <param name="abandoned">Told when a query's wait ended without an answer (drop its id).</param>
    /// <param name="noAnswer">The reason stored with the empty answer of a query that got none within QueryWaitTimeout.</param>
    public EffectiveCache(EffectiveCacheSettings settings, TimeProvider time, Func<TKey, string?> send, Action<TKey> abandoned,
        Func<TKey, string>? noAnswer = null)
    {
        _settings = settings;
        _time = time;
        _send = send;
        _abandoned = abandoned;
        _noAnswer = noAnswer;
    }

    /// <summary>
    /// The answer for the key: cached, or asked of the peer (through <paramref name="send"/> when given,
    /// for a query that carries more than its key). No value: an empty answer, or none within RequestTimeout.
    /// </summary>
    public async Task<CacheFetch<TValue>> FetchAsync(TKey key, CancellationToken ct, Func<TKey, string?>? send = null)
    {
        Task<Entry> wait;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_cache.TryGetValue(key, out var hit) && hit.VanishAt > now)
            {
                if (hit.ExpireAt <= now && !_pending.ContainsKey(key)) Start(key, send ?? _send);
                return new(hit.Value, hit.Reason, false);
            }
            wait = _pending.TryGetValue(key, out var p) ? p.Done.Task : Start(key, send ?? _send).Done.Task;
        }
        try
        {
            var entry = await wait.WaitAsync(_settings.RequestTimeout, _time, ct).ConfigureAwait(false);
            return new(entry.Value, entry.Reason, false);
        }
        catch (TimeoutException)
        {
            return new(null, null, true);
        }
    }

    /// <summary>The cached value (not vanished) without asking the peer: g3's pre_fetch.</summary>
    public TValue? TryPeek(TKey key)
    {
        lock (_lock)
            return _cache.TryGetValue(key, out var hit) && hit.VanishAt > _time.GetUtcNow() ? hit.Value : null;
    }

    /// <summary>The peer's answer for a key (null value: an empty answer); a key no longer waited for is dropped, as in g3.</summary>
    public void Answer(TKey key, TValue? value, uint ttl)
    {
        if (ttl == 0) ttl = _settings.ProtectiveTtl;
        else if (ttl > _settings.MaximumTtl) ttl = _settings.MaximumTtl;
        var expire = _time.GetUtcNow().AddSeconds(ttl);
        Complete(key, new Entry(value, null, expire, expire + _settings.VanishWait));
    }

    /// <summary>Under the lock: registers the query, arms its wait and sends it.</summary>
    private Pending Start(TKey key, Func<TKey, string?> send)
    {
        var pending = new Pending();
        _pending[key] = pending;
        pending.Timer = _time.CreateTimer(_ =>
        {
            _abandoned(key);
            Complete(key, Empty(_noAnswer?.Invoke(key)), pending);
        }, null, _settings.QueryWaitTimeout, Timeout.InfiniteTimeSpan);
        // as g3: a query that cannot be sent is an empty answer at once
        if (send(key) is { } failed)
            ThreadPool.UnsafeQueueUserWorkItem(_ => Complete(key, Empty(failed), pending), null);
        return pending;
    }

    private Entry Empty(string? reason)
    {
        var expire = _time.GetUtcNow().AddSeconds(_settings.ProtectiveTtl);
        return new Entry(null, reason, expire, expire + _settings.VanishWait);
    }

    private void Complete(TKey key, Entry entry, Pending? only = null)
    {
        Pending? pending;
        lock (_lock)
        {
            if (!_pending.TryGetValue(key, out pending) || (only is not null && pending != only)) return;
            _pending.Remove(key);
            pending.Timer?.Dispose();
            if (_cache.Count >= MaxEntries) Trim();
            _cache[key] = entry;
        }
        pending.Done.TrySetResult(entry);
    }

    /// <summary>Under the lock: drops vanished entries, then (still full) the ones that vanish soonest.</summary>
    private void Trim()
    {
        var now = _time.GetUtcNow();
        foreach (var k in _cache.Where(e => e.Value.VanishAt <= now).Select(e => e.Key).ToList()) _cache.Remove(k);
        if (_cache.Count < MaxEntries) return;
        foreach (var k in _cache.OrderBy(e => e.Value.VanishAt).Take(_cache.Count - MaxEntries + 1).Select(e => e.Key).ToList()) _cache.Remove(k);
    }

    public void Dispose()
    {
        lock (_lock)
            foreach (var p in _pending.Values) p.Timer?.Dispose();
    }
}
