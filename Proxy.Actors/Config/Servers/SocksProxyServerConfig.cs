using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Servers;

/// <summary>g3's <c>socks_proxy</c> server (reference section 1.2; g3's socks_proxy.rst).</summary>
public sealed record SocksProxyServerConfig : ServerConfig
{
    public override string TypeName => "SocksProxy";
    /// <summary>Standard UDP ASSOCIATE instead of g3's default simplified "UDP connect".</summary>
    public bool UseUdpAssociate { get; init; }
    /// <summary>Until the SOCKS command is known (greeting, auth, request).</summary>
    public TimeSpan NegotiationTimeout { get; init; } = TimeSpan.FromSeconds(4);
    /// <summary>Wait for the first UDP datagram after the UDP reply.</summary>
    public TimeSpan UdpClientInitialTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<IPAddress> UdpBindIpv4 { get; init; } = [];
    public IReadOnlyList<IPAddress> UdpBindIpv6 { get; init; } = [];
    /// <summary>Inclusive port range for the client-facing UDP socket; null lets the OS pick.</summary>
    public (int Start, int End)? UdpBindPortRange { get; init; }
    public SocketBufferConfig? UdpSocketBuffer { get; init; }
    /// <summary>g3's udp_misc_opts for the client-facing UDP sockets.</summary>
    public UdpMiscSockOpts UdpMiscOpts { get; init; } = UdpMiscSockOpts.None;
    /// <summary>
    /// transmute_udp_echo_ip: null when off; otherwise local IP -> IP announced to the client, and an
    /// unlisted local IP is announced as the unspecified address of its family (g3 1.9.9+).
    /// </summary>
    public IReadOnlyDictionary<IPAddress, IPAddress>? TransmuteUdpEchoIp { get; init; }
    public UdpSockSpeedLimit UdpSockSpeedLimit { get; init; } = UdpSockSpeedLimit.Unlimited;
    /// <summary>Largest UDP payload relayed (g3 clamps to 512..64K, default 4K); bigger datagrams are dropped and counted.</summary>
    public int UdpRelayPacketSize { get; init; } = 4096;
    /// <summary>g3's username_params: the RFC 1929 username names the next proxy (socks5_port) of the server's escaper.</summary>
    public UsernameParamsConfig? UsernameParams { get; init; }
}
