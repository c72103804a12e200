using System.Net;

namespace Proxy.Actors.Config.Servers;

/// <summary>g3's tcp <c>listen</c> value: an address plus socket knobs.</summary>
public sealed record TcpListenConfig
{
    public required IPEndPoint Address { get; init; }
    public int Backlog { get; init; } = 4096;
    public bool Ipv6Only { get; init; }
    /// <summary>Number of SO_REUSEPORT listeners (g3 <c>instance</c>).</summary>
    public int Instance { get; init; } = 1;
    /// <summary>IP_TRANSPARENT on the listener: tcp_tproxy accepts connections addressed to any IP.</summary>
    public bool Transparent { get; init; }
}
