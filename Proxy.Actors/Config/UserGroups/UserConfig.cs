using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Users.Tokens;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>
/// One user of a user group (g3proxy/src/config/auth/user): static users, dynamic users (the same
/// schema read from JSON or YAML), <c>anonymous_user</c> and <c>unmanaged_user</c>. Null means "not set":
/// the server's or escaper's value applies.
/// </summary>
public sealed record UserConfig
{
    public required string Name { get; init; }
    public PasswordToken Token { get; init; } = PasswordToken.Forbidden;
    public IReadOnlyList<FactsMatch> MatchByFacts { get; init; } = [];
    public DateTimeOffset? Expire { get; init; }
    public TimeSpan? BlockAndDelay { get; init; }
    public UserAuditConfig Audit { get; init; } = UserAuditConfig.Default;

    public TcpConnectConfig? TcpConnect { get; init; }
    public TcpKeepaliveConfig? TcpRemoteKeepalive { get; init; }
    /// <summary>g3's tcp/udp_remote_misc_opts (over a direct escaper's) and tcp/udp_client_misc_opts (over the server's).</summary>
    public TcpMiscSockOpts? TcpRemoteMiscOpts { get; init; }
    public UdpMiscSockOpts? UdpRemoteMiscOpts { get; init; }
    public TcpMiscSockOpts? TcpClientMiscOpts { get; init; }
    public UdpMiscSockOpts? UdpClientMiscOpts { get; init; }
    public HttpKeepaliveConfig HttpUpstreamKeepalive { get; init; } = HttpKeepaliveConfig.Default;
    public TimeSpan? HttpRspHeaderRecvTimeout { get; init; }

    /// <summary>Concurrent requests allowed; 0 = no limit.</summary>
    public int RequestMaxAlive { get; init; }
    public RateLimitQuota? RequestRateLimit { get; init; }
    public RateLimitQuota? ConnectionRateLimit { get; init; }
    public TcpSockSpeedLimit TcpSockSpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    public UdpSockSpeedLimit UdpSockSpeedLimit { get; init; } = UdpSockSpeedLimit.Unlimited;
    public GlobalStreamSpeedLimit? TcpAllUploadSpeedLimit { get; init; }
    public GlobalStreamSpeedLimit? TcpAllDownloadSpeedLimit { get; init; }
    public GlobalDatagramSpeedLimit? UdpAllUploadSpeedLimit { get; init; }
    public GlobalDatagramSpeedLimit? UdpAllDownloadSpeedLimit { get; init; }
    public RateLimitQuota? LogRateLimit { get; init; }
    public int? LogUriMaxChars { get; init; }

    public NetworkAclRule? IngressNetworkFilter { get; init; }
    public ProxyRequestAclRule? ProxyRequestFilter { get; init; }
    public HostAclRuleSet? DstHostFilterSet { get; init; }
    public PortAclRule? DstPortFilter { get; init; }
    public UserAgentAclRule? HttpUserAgentFilter { get; init; }

    public ResolveStrategy? ResolveStrategy { get; init; }
    public IReadOnlyList<ResolveRedirection> ResolveRedirection { get; init; } = [];
    public int? TaskIdleMaxCount { get; init; }
    public bool SocksUseUdpAssociate { get; init; }
    /// <summary>egress_path_id_map: escaper name → string id.</summary>
    public IReadOnlyDictionary<string, string> EgressPathIdMap { get; init; } = new Dictionary<string, string>();
    /// <summary>egress_path_value_map: escaper name → JSON value (kept as text, validated at load).</summary>
    public IReadOnlyDictionary<string, string> EgressPathValueMap { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<UserSiteConfig> ExplicitSites { get; init; } = [];

    public bool IsExpired(DateTimeOffset now) => Expire is { } e && e < now;
}

/// <summary>g3's user <c>audit</c> map: switches stored for the auditor.</summary>
public sealed record UserAuditConfig(
    bool EnableProtocolInspection = false,
    bool ProhibitUnknownProtocol = false,
    bool ProhibitTimeoutProtocol = true,
    double? TaskAuditRatio = null)
{
    public static readonly UserAuditConfig Default = new();
}

public enum FactsMatchKind { Ip, Net, ExactDomain, ChildDomain }

/// <summary>One <c>match_by_facts</c> entry of a facts group: <c>ip</c>, <c>net</c>, <c>exact_domain</c> or <c>child_domain</c>.</summary>
public sealed record FactsMatch(FactsMatchKind Kind, IPNetwork? Network, string? Domain);

/// <summary>A <c>resolve_redirection</c> record: an exact domain to IPs or another name, or a parent domain to another.</summary>
public sealed record ResolveRedirection(bool Parent, string Domain, IReadOnlyList<IPAddress> ToIps, string? ToHost);

/// <summary>An <c>explicit_sites</c> entry: a site the user's traffic to is counted and tuned apart.</summary>
public sealed record UserSiteConfig
{
    public required string Id { get; init; }
    public IReadOnlyList<string> ExactMatch { get; init; } = [];
    public IReadOnlyList<string> ChildMatch { get; init; } = [];
    public IReadOnlyList<IPNetwork> SubnetMatch { get; init; } = [];
    public bool EmitStats { get; init; }
    public ResolveStrategy? ResolveStrategy { get; init; }
    public TlsClientConfig? TlsClient { get; init; }
    public TimeSpan? HttpRspHeaderRecvTimeout { get; init; }
}
