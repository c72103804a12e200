namespace Proxy.Actors.Escapers.Http;

/// <summary>
/// An escaper's keep-alive connections for HTTP forwarding, per key, newest first, each dropped
/// after the idle_expire it was returned with (g3's http_forward_upstream_keepalive). Bounded per
/// key and in total. Owned by the escaper handle: a reload closes the old handle's pool.
/// </summary>
internal sealed class HttpUpstreamPool : IDisposable
{
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, Stack<HttpUpstream>> _idle = new(StringComparer.Ordinal);
    private readonly int _maxPerKey;
    private readonly int _maxTotal;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private int _total;
    private bool _disposed;

    public HttpUpstreamPool(TimeProvider time, int maxPerKey = 256, int maxTotal = 4096)
    {
        _time = time;
        _maxPerKey = maxPerKey;
        _maxTotal = maxTotal;
        _sweeper = time.CreateTimer(_ => _ = SweepAsync(), null, SweepPeriod, SweepPeriod);
    }

    // The last direct key made, by target object: a server's requests mostly go to the same
    // upstream, so the key string is not rebuilt per request.
    private Tuple<Config.Values.UpstreamAddr, bool, string>? _lastKey;

    /// <summary><see cref="UpstreamCompletion.DirectKey"/> of the request, the last one reused when the target is the same object.</summary>
    public string DirectKey(EscapeRequest request)
    {
        if (request.UserEscape is not null) return UpstreamCompletion.DirectKey(request);
        var tls = request.Tls is not null;
        if (Volatile.Read(ref _lastKey) is { } last && ReferenceEquals(last.Item1, request.Target) && last.Item2 == tls) return last.Item3;
        var key = UpstreamCompletion.DirectKey(request);
        Volatile.Write(ref _lastKey, Tuple.Create(request.Target, tls, key));
        return key;
    }

    /// <param name="probe">
    /// Check the socket for a close before handing it out. Body-less requests skip the syscall:
    /// they are retried once on a fresh connection when a pooled one turns out dead.
    /// </param>
    public HttpUpstream? TryTake(string key, bool probe)
    {
        while (true)
        {
            HttpUpstream? conn;
            lock (_idle)
            {
                if (!_idle.TryGetValue(key, out var stack) || !stack.TryPop(out conn)) return null;
                _total--;
            }
            if (!Expired(conn) && (!probe || conn.LooksAlive())) return conn;
            _ = conn.DisposeAsync();
        }
    }

    /// <summary>Keeps the connection for the next request; false when the pool is full or closed.</summary>
    public bool Return(HttpUpstream conn)
    {
        conn.IdleSince = _time.GetTimestamp();
        lock (_idle)
        {
            if (_disposed) return false;
            if (!_idle.TryGetValue(conn.Key, out var stack))
            {
                stack = new Stack<HttpUpstream>();
                _idle[conn.Key] = stack;
            }
            if (stack.Count >= _maxPerKey || _total >= _maxTotal) return false;
            stack.Push(conn);
            _total++;
            return true;
        }
    }

    private bool Expired(HttpUpstream c) => _time.GetElapsedTime(c.IdleSince) >= c.IdleExpire;

    private async Task SweepAsync()
    {
        var dead = new List<HttpUpstream>();
        lock (_idle)
        {
            foreach (var (key, stack) in _idle.ToArray())
            {
                var keep = stack.Where(c => !Expired(c)).Reverse().ToArray();
                if (keep.Length == stack.Count) continue;
                dead.AddRange(stack.Where(Expired));
                _total -= stack.Count - keep.Length;
                if (keep.Length == 0) _idle.Remove(key);
                else _idle[key] = new Stack<HttpUpstream>(keep);
            }
        }
        foreach (var c in dead) await c.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        List<HttpUpstream> all;
        lock (_idle)
        {
            _disposed = true;
            all = _idle.Values.SelectMany(s => s).ToList();
            _idle.Clear();
            _total = 0;
        }
        foreach (var c in all) _ = c.DisposeAsync();
    }
}
