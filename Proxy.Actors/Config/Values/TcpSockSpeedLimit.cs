namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's tcp socket speed limit: at most <see cref="MaxNorth"/> bytes upload and
/// <see cref="MaxSouth"/> bytes download per time slice of 2^<see cref="ShiftMillis"/> ms.
/// 0 means unlimited in that direction.
/// </summary>
public sealed record TcpSockSpeedLimit(int ShiftMillis, long MaxNorth, long MaxSouth)
{
    public static readonly TcpSockSpeedLimit Unlimited = new(10, 0, 0);
    public bool IsUnlimited => MaxNorth == 0 && MaxSouth == 0;
}
