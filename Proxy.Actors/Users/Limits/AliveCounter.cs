namespace Proxy.Actors.Users.Limits;

/// <summary>
/// g3's request_max_alive gauge: how many requests of a user run now, refused beyond the cap
/// (0 = no cap, still counted). A reload keeps the gauge and sets the new cap (<see cref="WithLimit"/>),
/// as g3's GaugeSemaphore::new_updated does, so running requests still count against the new cap.
/// </summary>
public sealed class AliveCounter(int limit)
{
    private volatile int _limit = limit;
    private int _value;

    public int Limit => _limit;
    public int Alive => Volatile.Read(ref _value);

    /// <summary>The same gauge under the reloaded user's cap (one object: a request reaches no other).</summary>
    public AliveCounter WithLimit(int limit)
    {
        _limit = limit;
        return this;
    }

    /// <summary>A guard to dispose when the request ends, or null when the user is fully loaded.</summary>
    public AliveGuard? TryAcquire()
    {
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var limit = _limit;
            if (limit > 0 && current >= limit) return null;
            var seen = Interlocked.CompareExchange(ref _value, current + 1, current);
            if (seen == current) return new AliveGuard(this);
            current = seen;
        }
    }

    internal void Release() => Interlocked.Decrement(ref _value);
}

/// <summary>Releases one alive slot exactly once.</summary>
public sealed class AliveGuard : IDisposable
{
    private AliveCounter? _counter;

    internal AliveGuard(AliveCounter counter) => _counter = counter;

    public void Dispose() => Interlocked.Exchange(ref _counter, null)?.Release();
}
