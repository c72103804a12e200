using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// g3's <c>proxy_float</c>: next proxies (peers) that arrive by publish and are kept in the cache
/// file, and from a redis set polled every refresh_interval when <see cref="Redis"/> is set.
/// </summary>
public sealed record ProxyFloatEscaperConfig : EscaperConfig
{
    public override string TypeName => "ProxyFloat";
    public string? Cache { get; init; }
    /// <summary>The redis source; null is the passive source (publish only).</summary>
    public ProxyFloatRedisSource? Redis { get; init; }
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);
    public IPAddress? BindIpv4 { get; init; }
    public IPAddress? BindIpv6 { get; init; }
    /// <summary>TLS settings for https peers; null means https peers are not enabled.</summary>
    public TlsClientConfig? TlsClient { get; init; }
    public TimeSpan TcpConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TcpKeepaliveConfig? TcpKeepalive { get; init; } = TcpKeepaliveConfig.Default;
    public string? BindInterface { get; init; }
    public TcpMiscSockOpts TcpMiscOpts { get; init; } = TcpMiscSockOpts.None;
    public TimeSpan ExpireGuardDuration { get; init; } = TimeSpan.FromSeconds(5);
    public TcpSockSpeedLimit TcpSockSpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    public TimeSpan PeerNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
