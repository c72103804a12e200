using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// What every chaining escaper (proxy_http, proxy_https, proxy_socks5, proxy_socks5s) knows about
/// reaching its next proxy: the addresses and how one is picked, the credentials, and the dialling
/// settings (resolver, bind address per family, tries, keepalive, speed limit, TLS for the TLS types).
/// </summary>
public abstract record NextProxyEscaperConfig : EscaperConfig
{
    /// <summary>The port a proxy_addr without one gets (3128 for HTTP proxies, 1080 for SOCKS).</summary>
    public abstract int ProxyAddrDefaultPort { get; }
    public IReadOnlyList<Weighted<UpstreamAddr>> ProxyAddr { get; init; } = [];
    public SelectivePickPolicy ProxyAddrPickPolicy { get; init; } = SelectivePickPolicy.Random;
    public string? ProxyUsername { get; init; }
    public string? ProxyPassword { get; init; }
    public override string? Resolver { get; init; }
    public ResolveStrategy ResolveStrategy { get; init; } = ResolveStrategy.Default;
    public IPAddress? BindIpv4 { get; init; }
    public IPAddress? BindIpv6 { get; init; }
    public bool NoIpv4 { get; init; }
    public bool NoIpv6 { get; init; }
    public TcpConnectConfig TcpConnect { get; init; } = TcpConnectConfig.Default;
    public HappyEyeballsConfig HappyEyeballs { get; init; } = HappyEyeballsConfig.Default;
    public TcpSockSpeedLimit TcpSockSpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    public TcpKeepaliveConfig? TcpKeepalive { get; init; }
    /// <summary>SO_BINDTODEVICE for the sockets to the next proxy.</summary>
    public string? BindInterface { get; init; }
    public TcpMiscSockOpts TcpMiscOpts { get; init; } = TcpMiscSockOpts.None;
    /// <summary>PROXY protocol version (1 or 2) sent first on every connection to the next proxy (proxy_http(s) only).</summary>
    public int? UseProxyProtocol { get; init; }
    public TimeSpan PeerNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>TLS to the next proxy (the TLS types only; null means plain TCP).</summary>
    public TlsClientConfig? TlsClient { get; init; }
    public string? TlsName { get; init; }
}
