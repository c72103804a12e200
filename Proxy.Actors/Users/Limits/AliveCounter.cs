namespace Proxy.Actors.Users.Limits;

/// <summary>
/// g3's request_max_alive gauge: how many requests of a user run now. The cap is the caller's (the user's
/// config; 0 = no cap, still counted), so a reload keeps the gauge by handing the rebuilt user the same
/// object, as g3's GaugeSemaphore::new_updated does, and running requests still count against the new cap.
/// </summary>
public sealed class AliveCounter
{
    private int _value;

    public int Alive => Volatile.Read(ref _value);

    /// <summary>A guard to dispose when the request ends, or null when <paramref name="limit"/> requests already run.</summary>
    public AliveGuard? TryAcquire(int limit)
    {
        var current = Volatile.Read(ref _value);
        while (true)
        {
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
