using System.Net;
using Proxy.Actors.Config.Values;

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
    /// <summary>g3's interface: SO_BINDTODEVICE on the listener.</summary>
    public string? Interface { get; init; }
    /// <summary>g3's keepalive: set on the listener, so every accepted socket inherits it.</summary>
    public TcpKeepaliveConfig? Keepalive { get; init; }
    /// <summary>g3's max_segment_size: TCP_MAXSEG on the listener (the MSS its SYN-ACKs offer).</summary>
    public int? MaxSegmentSize { get; init; }
    /// <summary>g3's netfilter_mark: SO_MARK on the listener.</summary>
    public uint? NetfilterMark { get; init; }
}
