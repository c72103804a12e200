using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Servers;

/// <summary>g3's <c>http_proxy</c> server (reference section 1.2).</summary>
public sealed record HttpProxyServerConfig : ServerConfig
{
    public override string TypeName => "HttpProxy";
    public IReadOnlyList<string> LocalServerName { get; init; } = [];
    public string? ServerId { get; init; }
    public string AuthRealm { get; init; } = "proxy";
    /// <summary>Null means HTTPS forward (<c>GET https://...</c>) is refused; g3 defaults it on.</summary>
    public TlsClientConfig? TlsClient { get; init; } = TlsClientConfig.Default;
    public TimeSpan ReqHeaderRecvTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan RspHeaderRecvTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int ReqHeaderMaxSize { get; init; } = 64 * 1024;
    public int RspHeaderMaxSize { get; init; } = 64 * 1024;
    /// <summary>Not a g3 key: a bound on header count so one request cannot hold unbounded lines.</summary>
    public int ReqHeaderMaxCount { get; init; } = 256;
    public int LogUriMaxChars { get; init; } = 1024;
    public int PipelineSize { get; init; } = 10;
    public TimeSpan PipelineReadIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public bool NoEarlyErrorReply { get; init; }
    public bool AllowCustomHost { get; init; } = true;
    public bool DropDefaultPortInHost { get; init; }
    public int BodyLineMaxLength { get; init; } = 8192;
    public bool UpstreamKeepaliveEnable { get; init; } = true;
    public TimeSpan UpstreamKeepaliveIdleExpire { get; init; } = TimeSpan.FromSeconds(60);
    public bool HttpForwardMarkUpstream { get; init; }
    public bool EchoChainedInfo { get; init; }
    public bool StealForwardedFor { get; init; }
    public UsernameParamsConfig? UsernameParams { get; init; }
    /// <summary>A request header carrying a 1-based egress path index for the server's escaper; removed before forwarding.</summary>
    public string? EgressPathSelectionHeader { get; init; }
}
