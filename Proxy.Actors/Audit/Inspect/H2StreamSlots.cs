namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// The streams the real server lets an intercepted h2 connection open at once (its
/// SETTINGS_MAX_CONCURRENT_STREAMS). A client stream takes a slot before it goes upstream, and
/// waits for one at most upstream_stream_open_timeout, as g3 waits on its h2 client's ready().
/// Until the server's SETTINGS arrive the limit is unknown and, as in the h2 crate, not enforced.
/// </summary>
internal sealed class H2StreamSlots
{
    private readonly Lock _lock = new();
    private long _limit = long.MaxValue;
    private long _active;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The server's latest SETTINGS_MAX_CONCURRENT_STREAMS.</summary>
    public void SetLimit(uint limit)
    {
        lock (_lock)
        {
            _limit = limit;
            Pulse();
        }
    }

    /// <summary>True with a slot taken (give it back with <see cref="Release"/>), false when none came within the timeout.</summary>
    public async Task<bool> AcquireAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_active < _limit)
                {
                    _active++;
                    return true;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _active--;
            Pulse();
        }
    }

    /// <summary>Wakes every waiter to look again (called under the lock).</summary>
    private void Pulse()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }
}
