using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>Which pooled origin connections a request may reuse (a value: no string built per request).</summary>
internal readonly record struct UpstreamKey(string Escaper, string Scheme, string Host, int Port);

/// <summary>
/// Keep-alive connections to origins, per (escaper, scheme, host, port), newest first, each
/// dropped after idle_expire (g3's http_forward_upstream_keepalive). Bounded per key and in total.
/// </summary>
internal sealed class UpstreamPool : IAsyncDisposable
{
    private readonly Dictionary<UpstreamKey, Stack<UpstreamConnection>> _idle = new();
    private readonly TimeSpan _idleExpire;
    private readonly int _maxPerKey;
    private readonly int _maxTotal;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private int _total;

    public UpstreamPool(TimeSpan idleExpire, TimeProvider time, int maxPerKey = 256, int maxTotal = 4096)
    {
        _idleExpire = idleExpire;
        _time = time;
        _maxPerKey = maxPerKey;
        _maxTotal = maxTotal;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, idleExpire.Ticks / 2));
        _sweeper = time.CreateTimer(_ => _ = SweepAsync(), null, period, period);
    }


    /// <param name="probe">
    /// Check the socket for a close before handing it out. Body-less requests skip the syscall:
    /// they are retried once on a fresh connection when a pooled one turns out dead.
    /// </param>
    public UpstreamConnection? TryTake(UpstreamKey key, bool probe)
    {
        while (true)
        {
            UpstreamConnection? conn;
            lock (_idle)
            {
                if (!_idle.TryGetValue(key, out var stack) || !stack.TryPop(out conn)) return null;
                _total--;
            }
            if (!Expired(conn) && (!probe || conn.LooksAlive())) return conn;
            _ = conn.DisposeAsync();
        }
    }

    public void Return(UpstreamConnection conn)
    {
        conn.IdleSince = _time.GetTimestamp();
        lock (_idle)
        {
            if (!_idle.TryGetValue(conn.Key, out var stack))
            {
                stack = new Stack<UpstreamConnection>();
                _idle[conn.Key] = stack;
            }
            if (stack.Count < _maxPerKey && _total < _maxTotal)
            {
                stack.Push(conn);
                _total++;
                return;
            }
        }
        _ = conn.DisposeAsync();
    }

    private bool Expired(UpstreamConnection c) => _time.GetElapsedTime(c.IdleSince) >= _idleExpire;

    private async Task SweepAsync()
    {
        var dead = new List<UpstreamConnection>();
        lock (_idle)
        {
            foreach (var (key, stack) in _idle.ToArray())
            {
                var keep = stack.Where(c => !Expired(c)).Reverse().ToArray();
                if (keep.Length == stack.Count) continue;
                dead.AddRange(stack.Where(Expired));
                _total -= stack.Count - keep.Length;
                if (keep.Length == 0) _idle.Remove(key);
                else _idle[key] = new Stack<UpstreamConnection>(keep);
            }
        }
        foreach (var c in dead) await c.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        List<UpstreamConnection> all;
        lock (_idle)
        {
            all = _idle.Values.SelectMany(s => s).ToList();
            _idle.Clear();
            _total = 0;
        }
        foreach (var c in all) await c.DisposeAsync().ConfigureAwait(false);
    }
}
