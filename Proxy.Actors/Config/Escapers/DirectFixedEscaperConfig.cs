using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's <c>direct_fixed</c>: connect from this host. Also the base of direct_float, which publishes its bind IPs.</summary>
public record DirectFixedEscaperConfig : EscaperConfig
{
    public override string TypeName => "DirectFixed";
    public override string? Resolver { get; init; }
    public ResolveStrategy ResolveStrategy { get; init; } = ResolveStrategy.Default;
    public IReadOnlyList<IPAddress> BindIp { get; init; } = [];
    public bool NoIpv4 { get; init; }
    public bool NoIpv6 { get; init; }
    public TcpConnectConfig TcpConnect { get; init; } = TcpConnectConfig.Default;
    public HappyEyeballsConfig HappyEyeballs { get; init; } = HappyEyeballsConfig.Default;
    /// <summary>Always holds g3's builtin forbids for loopback, link-local, unspecified and discard-only.</summary>
    public NetworkAclRule EgressNetworkFilter { get; init; } = NetworkAclRule.DefaultEgress;
    public TcpSockSpeedLimit TcpSockSpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    public TcpKeepaliveConfig? TcpKeepalive { get; init; }
    /// <summary>PROXY protocol version (1 or 2) written first on every connection to the target.</summary>
    public int? UseProxyProtocol { get; init; }
    /// <summary>g3's resolve_redirection: names resolved as another name or answered with fixed addresses.</summary>
    public IReadOnlyList<UserGroups.ResolveRedirection> ResolveRedirection { get; init; } = [];
    /// <summary>
    /// g3's enable_path_selection: with several bind_ip of the target's family, the task's egress path
    /// number id (http_proxy's egress_path_selection_header) picks one by index instead of at random.
    /// </summary>
    public bool EnablePathSelection { get; init; }
    /// <summary>g3's bind_interface: outgoing TCP sockets are bound to this network interface (Linux).</summary>
    public string? BindInterface { get; init; }
    /// <summary>g3's tcp_misc_opts for the sockets to the target (or the next proxy).</summary>
    public TcpMiscSockOpts TcpMiscOpts { get; init; } = TcpMiscSockOpts.None;
    /// <summary>g3's udp_misc_opts for the UDP relay sockets.</summary>
    public UdpMiscSockOpts UdpMiscOpts { get; init; } = UdpMiscSockOpts.None;
    /// <summary>
    /// A family with no bind_ip connects unbound instead of being skipped (the proxy escapers'
    /// bind_ipv4/bind_ipv6, which connect through this escaper's dialling code).
    /// </summary>
    internal bool BindIpPerFamily { get; init; }
    /// <summary>The task's user's tcp_remote_misc_opts and tcp_remote_keepalive count (false when dialling a next proxy, as in g3).</summary>
    internal bool UserRemoteOpts { get; init; } = true;
}
