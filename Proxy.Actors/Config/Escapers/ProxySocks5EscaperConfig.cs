using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// g3's <c>proxy_socks5</c> and <c>proxy_socks5s</c> (<see cref="Tls"/>): chain through another SOCKS5
/// proxy, CONNECT for TCP and UDP ASSOCIATE for UDP (g3's proxy_socks5.rst, proxy_socks5s.rst).
/// </summary>
public sealed record ProxySocks5EscaperConfig : NextProxyEscaperConfig
{
    public const int DefaultProxyPort = 1080;
    public override string TypeName => Tls ? "ProxySocks5s" : "ProxySocks5";
    public override int ProxyAddrDefaultPort => DefaultProxyPort;
    public bool Tls { get; init; }
    public UdpSockSpeedLimit UdpSockSpeedLimit { get; init; } = UdpSockSpeedLimit.Unlimited;
    /// <summary>g3's udp_misc_opts for the UDP socket to the next proxy's relay.</summary>
    public UdpMiscSockOpts UdpMiscOpts { get; init; } = UdpMiscSockOpts.None;
    /// <summary>
    /// transmute_udp_peer_ip: null when off; otherwise the relay IP the next proxy names -> the IP to
    /// send to, an unlisted one (or an empty map) replaced by the IP of the TCP connection to the proxy.
    /// </summary>
    public IReadOnlyDictionary<IPAddress, IPAddress>? TransmuteUdpPeerIp { get; init; }
    /// <summary>End a UDP task whenever the next proxy closes the control connection (by default only after a first datagram came back, or on an error).</summary>
    public bool EndOnControlClosed { get; init; }
}
