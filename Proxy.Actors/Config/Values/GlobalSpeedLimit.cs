namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's global (all-connection) stream speed limit: a token bucket that gains
/// <see cref="ReplenishBytes"/> every <see cref="ReplenishInterval"/> and holds at most
/// <see cref="MaxBurstBytes"/> (never less than one replenish).
/// </summary>
public sealed record GlobalStreamSpeedLimit(TimeSpan ReplenishInterval, long ReplenishBytes, long MaxBurstBytes)
{
    public static GlobalStreamSpeedLimit PerSecond(long bytes) => new(TimeSpan.FromSeconds(1), bytes, bytes);
}

/// <summary>g3's global datagram speed limit: a byte bucket and a packet bucket (0 = that one unlimited).</summary>
public sealed record GlobalDatagramSpeedLimit(
    TimeSpan ReplenishInterval, long ReplenishBytes, long ReplenishPackets, long MaxBurstBytes, long MaxBurstPackets)
{
    public static GlobalDatagramSpeedLimit PerSecond(long bytes) => new(TimeSpan.FromSeconds(1), bytes, 0, bytes, 0);
}
