using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Relay;

/// <summary>How a tunnel ended, in g3's task-log reason words.</summary>
public enum RelayEnd
{
    ClosedByClient,
    ClosedByUpstream,
    ClientTcpReadFailed,
    ClientTcpWriteFailed,
    UpstreamReadFailed,
    UpstreamWriteFailed,
    Idle,
    Canceled,
}

public sealed record RelayOptions(
    int BufferSize,
    TcpSockSpeedLimit ClientLimit,
    TcpSockSpeedLimit RemoteLimit,
    TimeProvider Time);

/// <summary>
/// The one bidirectional relay every server uses: two pumps, FIN passed along (half-close),
/// the first failure cancels the other direction. No actor on this path.
/// </summary>
public static class TunnelRelay
{
    public static async Task<RelayEnd> RunAsync(
        RelayEndpoint client,
        RelayEndpoint remote,
        RelayOptions options,
        TaskBytes bytes,
        ActivityTracker activity,
        CancellationToken ct)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, activity.Token);
        var north = SpeedLimiter.North(options.ClientLimit, options.RemoteLimit, options.Time);
        var south = SpeedLimiter.South(options.ClientLimit, options.RemoteLimit, options.Time);

        var up = Direction(client, remote, north, options.BufferSize, activity,
            n => { bytes.ClientRead += n; bytes.RemoteWritten += n; }, both);
        var down = Direction(remote, client, south, options.BufferSize, activity,
            n => { bytes.RemoteRead += n; bytes.ClientWritten += n; }, both);

        var first = await Task.WhenAny(up, down).ConfigureAwait(false);
        var firstResult = await first.ConfigureAwait(false);
        var firstIsUp = first == up;
        if (firstResult != PumpResult.SourceClosed) both.Cancel();
        await (firstIsUp ? down : up).ConfigureAwait(false);

        if (activity.TimedOut) return RelayEnd.Idle;
        // The direction that ended first names the reason, as in g3's task log.
        return (firstIsUp, firstResult) switch
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

    private static async Task<PumpResult> Direction(
        RelayEndpoint from, RelayEndpoint to, SpeedLimiter? limiter, int bufferSize,
        ActivityTracker activity, Action<int> onRead, CancellationTokenSource both)
    {
        var result = await StreamPump.CopyAsync(from.Stream, to.Stream, bufferSize, limiter, activity, onRead, both.Token)
            .ConfigureAwait(false);
        if (result == PumpResult.SourceClosed) await to.ShutdownSendAsync().ConfigureAwait(false);
        return result;
    }
}
