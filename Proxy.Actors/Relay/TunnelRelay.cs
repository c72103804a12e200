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
    TimeProvider Time)
{
    /// <summary>The task's user, when its server authenticates: its socket limit and its shared upload/download buckets.</summary>
    public Users.User? User { get; init; }
}

/// <summary>
/// The one bidirectional relay every server uses: two pumps, FIN passed along (half-close),
/// the first failure cancels the other direction. No actor on this path.
/// </summary>
public static class TunnelRelay
{
    /// <summary>
    /// Relays until both sides have closed, one side fails, or the activity tracker ends the task
    /// (idle, node stop). Cancellation is the tracker's token: the tunnel is the task's last stage.
    /// </summary>
    public static async Task<RelayEnd> RunAsync(
        RelayEndpoint client,
        RelayEndpoint remote,
        RelayOptions options,
        TaskBytes bytes,
        ActivityTracker activity)
    {
        // One registration per tunnel instead of one per socket operation: aborting closes both sockets.
        using var abort = activity.Token.UnsafeRegister(static state =>
        {
            var (a, b) = ((RelayEndpoint, RelayEndpoint))state!;
            a.Abort();
            b.Abort();
        }, (client, remote));
        var user = options.User;
        var north = user is null
            ? SpeedLimiter.North(options.ClientLimit, options.RemoteLimit, options.Time)
            : SpeedLimiter.North(options.ClientLimit, options.RemoteLimit, user.TcpSockSpeedLimit, user.TcpAllUpload, options.Time);
        var south = user is null
            ? SpeedLimiter.South(options.ClientLimit, options.RemoteLimit, options.Time)
            : SpeedLimiter.South(options.ClientLimit, options.RemoteLimit, user.TcpSockSpeedLimit, user.TcpAllDownload, options.Time);

        var up = StreamPump.CopyAsync(client, remote, options.BufferSize, north, activity, bytes, north: true);
        var down = StreamPump.CopyAsync(remote, client, options.BufferSize, south, activity, bytes, north: false);

        var first = await Task.WhenAny(up, down).ConfigureAwait(false);
        var firstResult = await first.ConfigureAwait(false);
        var firstIsUp = first == up;
        if (firstResult != PumpResult.SourceClosed) activity.Abort();
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
}
