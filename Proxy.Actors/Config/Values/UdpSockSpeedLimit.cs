namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's udp socket speed limit: per time slice of 2^<see cref="ShiftMillis"/> ms, at most so many
/// bytes and so many packets each way (north = client to remote). 0 means unlimited.
/// </summary>
public sealed record UdpSockSpeedLimit(int ShiftMillis, long MaxNorthBytes, long MaxSouthBytes, long MaxNorthPackets, long MaxSouthPackets)
{
    public static readonly UdpSockSpeedLimit Unlimited = new(10, 0, 0, 0, 0);
    public bool IsUnlimited => MaxNorthBytes == 0 && MaxSouthBytes == 0 && MaxNorthPackets == 0 && MaxSouthPackets == 0;

    /// <summary>The byte budgets as the relay's limiter reads them.</summary>
    public TcpSockSpeedLimit Bytes => new(ShiftMillis, MaxNorthBytes, MaxSouthBytes);

    /// <summary>The packet budgets, one unit per datagram.</summary>
    public TcpSockSpeedLimit Packets => new(ShiftMillis, MaxNorthPackets, MaxSouthPackets);
}
