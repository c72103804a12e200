namespace Proxy.Actors.Config.Values;

/// <summary>g3's udp socket speed limit: bytes and packets per direction per 2^shift ms slice (0 = unlimited).</summary>
public sealed record UdpSockSpeedLimit(int ShiftMillis, long MaxNorthBytes, long MaxSouthBytes, long MaxNorthPackets, long MaxSouthPackets)
{
    public static readonly UdpSockSpeedLimit Unlimited = new(10, 0, 0, 0, 0);
    public bool IsUnlimited => MaxNorthBytes == 0 && MaxSouthBytes == 0 && MaxNorthPackets == 0 && MaxSouthPackets == 0;
}
