using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's http_forward_capability: which requests the next proxy is trusted to forward itself.</summary>
public sealed record HttpForwardCapability(bool ForwardHttps = false, bool ForwardFtpGet = false, bool ForwardFtpPut = false, bool ForwardFtpDel = false)
{
    public static readonly HttpForwardCapability None = new();
}

/// <summary>
/// g3's <c>proxy_http</c> and <c>proxy_https</c> (<see cref="Https"/>): chain through another HTTP
/// proxy, CONNECT for tunnels and absolute-form requests for HTTP forwarding.
/// </summary>
public sealed record ProxyHttpEscaperConfig : EscaperConfig
{
    public const int DefaultProxyPort = 3128;
    public override string TypeName => Https ? "ProxyHttps" : "ProxyHttp";
    public bool Https { get; init; }
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
    public TimeSpan? TcpKeepalive { get; init; }
    public HttpForwardCapability HttpForwardCapability { get; init; } = HttpForwardCapability.None;
    public int HttpConnectRspHeaderMaxSize { get; init; } = 4096;
    public bool PassProxyUserid { get; init; }
    /// <summary>PROXY protocol version (1 or 2) sent first on every connection to the next proxy.</summary>
    public int? UseProxyProtocol { get; init; }
    public TimeSpan PeerNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>TLS to the next proxy (proxy_https only).</summary>
    public TlsClientConfig? TlsClient { get; init; }
    public string? TlsName { get; init; }
}
