using System.Collections.Concurrent;

namespace Proxy.Actors.Relay;

/// <summary>
/// One timer per server walks every running task's <see cref="ActivityTracker"/>, instead of a
/// timer per connection: 10k idle tunnels cost 10k dictionary entries, not 10k timers.
/// </summary>
public sealed class IdleWatcher : IDisposable
{
    private readonly ConcurrentDictionary<ActivityTracker, byte> _tracked = new();
    private readonly ITimer _timer;
    private readonly int _maxIdleCount;

    public IdleWatcher(TimeSpan interval, int maxIdleCount, TimeProvider time)
    {
        _maxIdleCount = Math.Max(1, maxIdleCount);
        _timer = time.CreateTimer(_ => Sweep(), null, interval, interval);
    }

    public IDisposable Track(ActivityTracker tracker)
    {
        Add(tracker);
        return new Registration(this, tracker);
    }

    /// <summary>Tracks without a registration object: a caller with a finally of its own calls <see cref="Remove"/>.</summary>
    public void Add(ActivityTracker tracker) => _tracked.TryAdd(tracker, 0);

    public void Remove(ActivityTracker tracker) => _tracked.TryRemove(tracker, out _);

    internal void Sweep()
    {
        foreach (var t in _tracked.Keys)
            if (t.Check(_maxIdleCount)) _tracked.TryRemove(t, out _);
    }

    public void Dispose() => _timer.Dispose();

    private sealed class Registration(IdleWatcher owner, ActivityTracker tracker) : IDisposable
    {
        public void Dispose() => owner.Remove(tracker);
    }
}
