using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Proxy.Actors.Resolvers.Cache;

/// <summary>
/// The per-resolver cache that sits in front of a driver: one entry per (host, family),
/// g3's TTL rule, stale-while-refresh, negative caching and one upstream query per key no
/// matter how many connections ask at once. Lock-free on a hit; safe from any thread.
/// </summary>
internal sealed class ResolverCache
{
    public const int DefaultCapacity = 65536;

    private readonly ConcurrentDictionary<CacheKey, CacheEntry> _entries = new();
    private readonly ConcurrentDictionary<CacheKey, Task<ResolveResult>> _inflight = new();
    private readonly ResolveDriverQuery _query;
    private readonly CacheTtlPolicy _policy;
    private readonly TimeSpan _protectiveTimeout;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly Stats.ResolverStats? _stats;
    private readonly ResolveFailureLog? _failureLog;
    private int _count;
    private int _sweeping;

    public ResolverCache(ResolveDriverQuery query, CacheTtlPolicy policy, TimeSpan protectiveTimeout,
        TimeProvider? time = null, int capacity = DefaultCapacity, Stats.ResolverStats? stats = null,
        ResolveFailureLog? failureLog = null)
    {
        _stats = stats;
        _failureLog = failureLog;
        _query = query;
        _policy = policy;
        _protectiveTimeout = protectiveTimeout;
        _time = time ?? TimeProvider.System;
        _capacity = Math.Max(1, capacity);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Every resolver that asks DNS comes through here, so the answers that need no server
    /// (<see cref="LocalAnswer"/>: IP literals, localhost) are given in this one place.
    /// </summary>
    public ValueTask<ResolveResult> GetAsync(string host, AddressFamily family, CancellationToken ct) =>
        LocalAnswer.TryAnswer(host, family, out var local) ? new(local) : LookupAsync(host, family, ct);

    private async ValueTask<ResolveResult> LookupAsync(string host, AddressFamily family, CancellationToken ct)
    {
        var key = new CacheKey(Normalize(host), family);
        var counters = _stats?.For(family);
        counters?.Queried();
        if (_entries.TryGetValue(key, out var entry))
        {
            var now = _time.GetUtcNow();
            if (now < entry.ExpireAt)
            {
                counters?.CacheHit();
                return entry.Result;
            }
            if (now < entry.VanishAt)
            {
                counters?.CacheHit();
                // Expired but not vanished: answer now, refresh behind the caller's back.
                _ = StartQuery(key);
                return entry.Result;
            }
        }
        // The shared query runs under its own protective timeout; a caller that gives up
        // only stops waiting, it does not cancel the query other callers share.
        return await StartQuery(key).WaitAsync(ct).ConfigureAwait(false);
    }

    private Task<ResolveResult> StartQuery(CacheKey key)
    {
        if (_inflight.TryGetValue(key, out var running)) return running;
        var tcs = new TaskCompletionSource<ResolveResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var winner = _inflight.GetOrAdd(key, tcs.Task);
        if (winner != tcs.Task) return winner;

        // A query that finished between our cache miss and GetOrAdd stored its entry before it
        // left _inflight: look again so that window never costs a second upstream query.
        if (_entries.TryGetValue(key, out var fresh) && _time.GetUtcNow() < fresh.ExpireAt)
        {
            _inflight.TryRemove(new KeyValuePair<CacheKey, Task<ResolveResult>>(key, tcs.Task));
            tcs.SetResult(fresh.Result);
            return tcs.Task;
        }
        _ = RunQueryAsync(key, tcs);
        return tcs.Task;
    }

    private async Task RunQueryAsync(CacheKey key, TaskCompletionSource<ResolveResult> tcs)
    {
        DriverAnswer answer;
        var started = _time.GetTimestamp();
        using (var protective = new CancellationTokenSource(_protectiveTimeout, _time))
        {
            try
            {
                answer = await _query(key.Host, key.Family, protective.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (protective.IsCancellationRequested)
            {
                answer = new(ResolveResult.Fail(ResolveErrorKind.Timeout,
                    $"query for {key.Host} exceeded protective_query_timeout"), 0);
            }
            catch (Exception ex)
            {
                // A driver bug must not leave the key wedged with a never-finishing task.
                answer = new(ResolveResult.Fail(ResolveErrorKind.ServerFailure, $"query for {key.Host} failed: {ex.Message}"), 0);
            }
        }
        _stats?.For(key.Family).DriverAnswered(answer.Result.Error);
        if (answer.Result.Error != ResolveErrorKind.None) _failureLog?.Invoke(key.Host, key.Family, _time.GetElapsedTime(started), answer.Result.Error);
        Store(key, answer);
        _inflight.TryRemove(new KeyValuePair<CacheKey, Task<ResolveResult>>(key, tcs.Task));
        tcs.SetResult(answer.Result);
    }

    private void Store(CacheKey key, DriverAnswer answer)
    {
        var (expire, vanish) = answer.Result.Ok ? _policy.ForPositive(answer.Ttl) : _policy.ForNegative();
        var now = _time.GetUtcNow();
        var entry = new CacheEntry(answer.Result, now, now + expire, now + vanish);
        var added = false;
        _entries.AddOrUpdate(key, _ => { added = true; return entry; }, (_, _) => { added = false; return entry; });
        if (added && Interlocked.Increment(ref _count) > _capacity) Sweep(now);
    }

    /// <summary>Drops vanished entries, then the oldest, until the cache is back under 7/8 of its bound.</summary>
    private void Sweep(DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        try
        {
            foreach (var (k, e) in _entries)
                if (now >= e.VanishAt) Remove(k, e);
            var target = _capacity - _capacity / 8;
            var excess = Volatile.Read(ref _count) - target;
            if (excess <= 0) return;
            foreach (var (k, e) in _entries.OrderBy(p => p.Value.CreatedAt).Take(excess).ToList())
                Remove(k, e);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Remove(CacheKey key, CacheEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<CacheKey, CacheEntry>(key, entry)))
            Interlocked.Decrement(ref _count);
    }

    /// <summary>DNS names are case-insensitive and "a.b." is "a.b".</summary>
    private static string Normalize(string host) => host.TrimEnd('.').ToLowerInvariant();

    private readonly record struct CacheKey(string Host, AddressFamily Family);

    private sealed record CacheEntry(ResolveResult Result, DateTimeOffset CreatedAt, DateTimeOffset ExpireAt, DateTimeOffset VanishAt);
}
