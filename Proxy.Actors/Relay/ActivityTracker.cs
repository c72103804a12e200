namespace Proxy.Actors.Relay;

/// <summary>
/// What the idle checker looks at: a counter bumped by every read, and the cancel switch it
/// pulls after too many idle checks in a row (g3's task_idle_check_interval × task_idle_max_count).
/// </summary>
public sealed class ActivityTracker : IDisposable
{
    private long _activity;
    private long _lastSeen;
    private int _idleCount;
    private readonly CancellationTokenSource _cts;

    public ActivityTracker(CancellationToken parent)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(parent);
    }

    public CancellationToken Token => _cts.Token;
    public bool TimedOut { get; private set; }

    public void Touch() => _activity++;

    /// <summary>Ends the task: a relay direction failed, so the other one must stop too.</summary>
    internal void Abort()
    {
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Called by the idle watcher; returns true when the task was cancelled as idle.</summary>
    internal bool Check(int maxIdleCount)
    {
        var now = Volatile.Read(ref _activity);
        if (now != _lastSeen)
        {
            _lastSeen = now;
            _idleCount = 0;
            return false;
        }
        if (++_idleCount < maxIdleCount) return false;
        TimedOut = true;
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        return true;
    }

    public void Dispose() => _cts.Dispose();
}
