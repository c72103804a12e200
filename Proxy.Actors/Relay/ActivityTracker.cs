namespace Proxy.Actors.Relay;

/// <summary>
/// A connection's lifetime: the cancel switch every wait of its task honours, pulled by the
/// connection's actor when it is stopped, by a failing relay direction, or by the idle checker
/// after too many idle checks in a row (g3's task_idle_check_interval × task_idle_max_count);
/// and the activity counter that checker looks at. One token source per connection, not a
/// linked chain of them.
/// </summary>
public sealed class ActivityTracker : IDisposable
{
    private long _activity;
    private long _lastSeen;
    private int _idleCount;
    private readonly CancellationTokenSource _cts;

    /// <param name="parent">Only for callers that nest a tracker; a connection's tracker has none.</param>
    public ActivityTracker(CancellationToken parent = default)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(parent);
    }

    public CancellationToken Token => _cts.Token;
    public bool TimedOut { get; private set; }

    public void Touch() => _activity++;

    private volatile Func<bool>? _endWhen;

    /// <summary>
    /// A condition the idle checker tests at each of its checks, ending the task when it holds
    /// (g3 ends a blocked user's running tasks at the idle check); null clears it.
    /// </summary>
    public void EndWhen(Func<bool>? condition) => _endWhen = condition;

    private volatile int _maxIdleOverride;

    /// <summary>
    /// The idle checks in a row that end this task instead of the server's task_idle_max_count
    /// (a user's task_idle_max_count); null goes back to the server's.
    /// </summary>
    public int? MaxIdleCount
    {
        get => _maxIdleOverride > 0 ? _maxIdleOverride : null;
        set => _maxIdleOverride = value is { } v ? Math.Max(1, v) : 0;
    }

    /// <summary>The task ended because its <see cref="EndWhen"/> condition held.</summary>
    public bool EndedByCondition { get; private set; }

    /// <summary>Ends the task: the actor was stopped, or a relay direction failed and the other must stop too.</summary>
    public void Abort()
    {
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Called by the idle watcher; returns true when the task was cancelled as idle.</summary>
    internal bool Check(int maxIdleCount)
    {
        if (_endWhen is { } end && end())
        {
            EndedByCondition = true;
            Abort();
            return true;
        }
        var now = Volatile.Read(ref _activity);
        if (now != _lastSeen)
        {
            _lastSeen = now;
            _idleCount = 0;
            return false;
        }
        var max = _maxIdleOverride;
        if (++_idleCount < (max > 0 ? max : maxIdleCount)) return false;
        TimedOut = true;
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        return true;
    }

    public void Dispose() => _cts.Dispose();
}
