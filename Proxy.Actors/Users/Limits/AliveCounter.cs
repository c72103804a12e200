namespace Proxy.Actors.Users.Limits;

/// <summary>
/// g3's request_max_alive gauge: how many requests of a user run now, refused beyond the cap
/// (0 = no cap, still counted). A reload keeps the gauge (<see cref="WithLimit"/>), as g3's
/// GaugeSemaphore::new_updated does, so running requests still count against the new cap.
/// </summary>
public sealed class AliveCounter
{
    private readonly Gauge _gauge;

    public AliveCounter(int limit) : this(limit, new Gauge()) { }

    private AliveCounter(int limit, Gauge gauge)
    {
        Limit = limit;
        _gauge = gauge;
    }

    public int Limit { get; }
    public int Alive => Volatile.Read(ref _gauge.Value);

    public AliveCounter WithLimit(int limit) => new(limit, _gauge);

    /// <summary>A guard to dispose when the request ends, or null when the user is fully loaded.</summary>
    public AliveGuard? TryAcquire()
    {
        var current = Volatile.Read(ref _gauge.Value);
        while (true)
        {
            if (Limit > 0 && current >= Limit) return null;
            var seen = Interlocked.CompareExchange(ref _gauge.Value, current + 1, current);
            if (seen == current) return new AliveGuard(_gauge);
            current = seen;
        }
    }

    internal sealed class Gauge
    {
        public int Value;
    }
}

/// <summary>Releases one alive slot exactly once.</summary>
public sealed class AliveGuard : IDisposable
{
    private AliveCounter.Gauge? _gauge;

    internal AliveGuard(AliveCounter.Gauge gauge) => _gauge = gauge;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _gauge, null) is { } g) Interlocked.Decrement(ref g.Value);
    }
}
