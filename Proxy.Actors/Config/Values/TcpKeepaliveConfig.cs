namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's tcp keepalive, enabled (a disabled one is null where it is used). Unset probe knobs keep
/// the kernel's defaults.
/// </summary>
public sealed record TcpKeepaliveConfig(TimeSpan IdleTime, TimeSpan? ProbeInterval = null, int? ProbeCount = null)
{
    public static readonly TcpKeepaliveConfig Default = new(TimeSpan.FromSeconds(60));

    /// <summary>
    /// g3's adjust_to (an escaper's keepalive with the user's tcp_remote_keepalive): on when either is,
    /// with the smaller idle time and probe knobs; an unset one counts with g3's default 60s idle.
    /// </summary>
    public static TcpKeepaliveConfig? AdjustTo(TcpKeepaliveConfig? escaper, TcpKeepaliveConfig? user)
    {
        if (user is null) return escaper;
        if (escaper is null) return user with { IdleTime = Min(user.IdleTime, Default.IdleTime) };
        return new TcpKeepaliveConfig(
            Min(escaper.IdleTime, user.IdleTime),
            escaper.ProbeInterval is { } a && user.ProbeInterval is { } b ? Min(a, b) : escaper.ProbeInterval ?? user.ProbeInterval,
            escaper.ProbeCount is { } x && user.ProbeCount is { } y ? Math.Min(x, y) : escaper.ProbeCount ?? user.ProbeCount);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
