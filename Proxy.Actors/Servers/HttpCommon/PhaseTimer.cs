namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>
/// The deadline of the phase a connection is in (waiting for a request head, for a response
/// head). One per connection, re-armed per phase instead of a new linked token source per
/// request; a source that fired is replaced, so a late timer never hits the next phase.
/// Arming and disarming only move a timestamp: the one timer of the connection is changed only
/// when a deadline comes earlier than the timer's due time, and a timer that fires before the
/// current deadline re-arms itself for the rest. A keep-alive connection thus changes its timer
/// about once per timeout period instead of four times per request.
/// Deadlines run on the server's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class PhaseTimer(CancellationToken connection, TimeProvider time) : IDisposable
{
    private const long Never = long.MaxValue;
    // A timer is never set further out than this; it re-arms itself when the deadline is later.
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private CancellationTokenSource? _cts;
    private CancellationTokenRegistration _link;
    private ITimer? _timer;
    private long _deadline = Never; // timestamp at which the armed phase expires
    private long _due = Never;      // timestamp the timer is set to fire at

    public CancellationToken Arm(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_cts is null)
            {
                _cts = new CancellationTokenSource();
                _link = connection.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cts);
            }
            var token = _cts.Token;
            SetDeadline(timeout);
            return token;
        }
    }

    /// <summary>Moves the deadline of the armed phase (a head that started arriving gets the header timeout).</summary>
    public void Extend(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_cts is { IsCancellationRequested: false } && _deadline != Never) SetDeadline(timeout);
        }
    }

    public void Disarm()
    {
        lock (_gate) _deadline = Never;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            _due = Never;
            _deadline = Never;
            _link.Dispose();
            _cts?.Dispose();
            _cts = null; // a tunnel keeps its connection for hours: let the source go
        }
    }

    private void SetDeadline(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero)
        {
            _deadline = Never; // infinite: as CancelAfter(Timeout.InfiniteTimeSpan)
            return;
        }
        var now = time.GetTimestamp();
        var ticks = timeout.TotalSeconds * time.TimestampFrequency;
        _deadline = ticks >= Never - now ? Never - 1 : now + (long)ticks;
        if (_deadline >= _due) return;
        _due = _deadline;
        _timer ??= time.CreateTimer(static s => ((PhaseTimer)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(timeout < LongestWait ? timeout : LongestWait, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        CancellationTokenSource? expired = null;
        lock (_gate)
        {
            if (_timer is null) return; // disposed
            _due = Never;
            if (_deadline == Never) return;
            var now = time.GetTimestamp();
            if (now >= _deadline)
            {
                // Detached here, cancelled outside the lock: the next Arm gets a fresh source.
                expired = _cts;
                _link.Dispose();
                _cts = null;
                _deadline = Never;
            }
            else
            {
                // Whole milliseconds, rounded up: a timer that fired a little early does not spin.
                var rest = TimeSpan.FromMilliseconds(Math.Ceiling(time.GetElapsedTime(now, _deadline).TotalMilliseconds));
                _due = _deadline;
                _timer.Change(rest < LongestWait ? rest : LongestWait, Timeout.InfiniteTimeSpan);
            }
        }
        expired?.Cancel();
    }
}
