namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>
/// The deadline of the phase a connection is in (waiting for a request head, for a response
/// head). One per connection, re-armed per phase instead of a new linked token source per
/// request; a source that already fired is replaced, so a late timer never hits the next phase.
/// Deadlines run on the server's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class PhaseTimer(CancellationToken connection, TimeProvider time) : IDisposable
{
    private CancellationTokenSource? _cts;
    private CancellationTokenRegistration _link;

    public CancellationToken Arm(TimeSpan timeout)
    {
        if (_cts is null || !_cts.TryReset())
        {
            _link.Dispose();
            _cts?.Dispose();
            _cts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            _link = connection.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cts);
        }
        _cts.CancelAfter(timeout);
        return _cts.Token;
    }

    /// <summary>Moves the deadline of the armed phase (a head that started arriving gets the header timeout).</summary>
    public void Extend(TimeSpan timeout)
    {
        if (_cts is { IsCancellationRequested: false }) _cts.CancelAfter(timeout);
    }

    public void Disarm() => _cts?.CancelAfter(Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _link.Dispose();
        _cts?.Dispose();
        _cts = null; // a tunnel keeps its connection for hours: let the source go
    }
}
