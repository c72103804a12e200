namespace Proxy.Actors.Relay;

/// <summary>
/// Where a tunnel's two directions meet: the first to end names the reason and, unless it saw a
/// clean FIN, aborts the other; the last completes the relay's task. In place of an async frame
/// awaiting WhenAny: an idle tunnel keeps only its two pumps' frames and this.
/// </summary>
internal sealed class RelayRace : TaskCompletionSource<RelayEnd>
{
    private readonly ActivityTracker _activity;
    private readonly RelayEndpoint _client;
    private readonly RelayEndpoint _remote;
    private readonly CancellationTokenRegistration _abort;
    private int _claimed;
    private int _finished;
    private bool _firstIsUp;
    private PumpResult _firstResult;
    private Exception? _error;

    public RelayRace(ActivityTracker activity, RelayEndpoint client, RelayEndpoint remote)
    {
        _activity = activity;
        _client = client;
        _remote = remote;
        // One registration per tunnel instead of one per socket operation: aborting closes both sockets.
        _abort = activity.Token.UnsafeRegister(static state =>
        {
            var race = (RelayRace)state!;
            race._client.Abort();
            race._remote.Abort();
        }, this);
    }

    /// <summary>
    /// A direction's source closed cleanly; called before its FIN is passed on, because once the
    /// other peer sees that FIN it may close too, and its pump must not finish "first".
    /// </summary>
    public void SourceClosed(bool up) => Claim(up, PumpResult.SourceClosed);

    /// <summary>A direction ended (with an unexpected exception: the relay's task faults with it once both have).</summary>
    public void Finish(bool up, PumpResult result, Exception? error)
    {
        if (error is not null)
        {
            Interlocked.CompareExchange(ref _error, error, null);
            // even after a clean FIN claimed the reason: a pump that failed unexpectedly ends the other one
            _activity.Abort();
        }
        Claim(up, result);
        if (Interlocked.Increment(ref _finished) != 2) return;
        // Unregister, not Dispose: this may run inside the abort callback itself.
        _abort.Unregister();
        if (_error is not null) TrySetException(_error);
        else TrySetResult(End());
    }

    private void Claim(bool up, PumpResult result)
    {
        if (Interlocked.CompareExchange(ref _claimed, 1, 0) != 0) return;
        _firstIsUp = up;
        _firstResult = result;
        if (result != PumpResult.SourceClosed) _activity.Abort();
    }

    private RelayEnd End()
    {
        if (_activity.TimedOut) return RelayEnd.Idle;
        // The direction that ended first names the reason, as in g3's task log.
        return (_firstIsUp, _firstResult) switch
        {
            (_, PumpResult.Cancelled) => RelayEnd.Canceled,
            (true, PumpResult.SourceClosed) => RelayEnd.ClosedByClient,
            (true, PumpResult.SourceFailed) => RelayEnd.ClientTcpReadFailed,
            (true, PumpResult.DestinationFailed) => RelayEnd.UpstreamWriteFailed,
            (false, PumpResult.SourceClosed) => RelayEnd.ClosedByUpstream,
            (false, PumpResult.SourceFailed) => RelayEnd.UpstreamReadFailed,
            (false, PumpResult.DestinationFailed) => RelayEnd.ClientTcpWriteFailed,
            _ => RelayEnd.Canceled,
        };
    }
}
