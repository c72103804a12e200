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
    /// <summary>Audit: an inspect policy or the user's audit switches refused the stream (detail in the task's error).</summary>
    ForbiddenByRule,
    /// <summary>Audit: the real server's TLS handshake failed during interception (its certificate, its protocol).</summary>
    UpstreamTlsHandshakeFailed,
    /// <summary>Audit: interception could not go on (no certificate, the client's handshake, a broken HTTP exchange).</summary>
    InterceptionError,
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
    public static Task<RelayEnd> RunAsync(
        RelayEndpoint client,
        RelayEndpoint remote,
        RelayOptions options,
        TaskBytes bytes,
        ActivityTracker activity)
    {
        // No frame of its own: the pumps report to the race, and the last one completes its task.
        var race = new RelayRace(activity, client, remote);
        var user = options.User;
        var north = user is null
            ? SpeedLimiter.North(options.ClientLimit, options.RemoteLimit, options.Time)
            : SpeedLimiter.North(options.ClientLimit, options.RemoteLimit, user.TcpSockSpeedLimit, user.TcpAllUpload, options.Time);
        var south = user is null
            ? SpeedLimiter.South(options.ClientLimit, options.RemoteLimit, options.Time)
            : SpeedLimiter.South(options.ClientLimit, options.RemoteLimit, user.TcpSockSpeedLimit, user.TcpAllDownload, options.Time);
        _ = StreamPump.CopyAsync(client, remote, options.BufferSize, north, activity, bytes, race, north: true);
        _ = StreamPump.CopyAsync(remote, client, options.BufferSize, south, activity, bytes, race, north: false);
        return race.Task;
    }
}
