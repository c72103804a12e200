using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>
/// The deadline of the phase a connection is in (waiting for a request head, for a response
/// head). One per connection, re-armed per phase instead of a new linked token source per
/// request; a source that already fired is replaced, so a late timer never hits the next phase.
/// </summary>
internal sealed class PhaseTimer(CancellationToken connection) : IDisposable
{
    private CancellationTokenSource? _cts;

    public CancellationToken Arm(TimeSpan timeout)
    {
        if (_cts is null || !_cts.TryReset())
        {
            _cts?.Dispose();
            _cts = CancellationTokenSource.CreateLinkedTokenSource(connection);
        }
        _cts.CancelAfter(timeout);
        return _cts.Token;
    }

    /// <summary>Moves the deadline of the armed phase (a head that started arriving gets the header timeout).</summary>
    public void Extend(TimeSpan timeout)
    {
        if (_cts is { IsCancellationRequested: false }) _cts.CancelAfter(timeout);
    }

    /// <summary>True when the phase ended by its deadline rather than the connection closing.</summary>
    public bool Expired => _cts is { IsCancellationRequested: true } && !connection.IsCancellationRequested;

    public void Disarm() => _cts?.CancelAfter(Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _cts?.Dispose();
        _cts = null; // a tunnel keeps its connection for hours: let the source go
    }
}
