using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Servers;

/// <summary>g3's <c>http_proxy</c> server (reference section 1.2).</summary>
public sealed record HttpProxyServerConfig : HttpServerConfig
{
    public override string TypeName => "HttpProxy";
    public IReadOnlyList<string> LocalServerName { get; init; } = [];
    /// <summary>Null means HTTPS forward (<c>GET https://...</c>) is refused; g3 defaults it on.</summary>
    public TlsClientConfig? TlsClient { get; init; } = TlsClientConfig.Default;
    public bool AllowCustomHost { get; init; } = true;
    public bool DropDefaultPortInHost { get; init; }
    public bool HttpForwardMarkUpstream { get; init; }
    public bool EchoChainedInfo { get; init; }
    public bool StealForwardedFor { get; init; }
    public UsernameParamsConfig? UsernameParams { get; init; }
    /// <summary>A request header carrying a 1-based egress path index for the server's escaper; removed before forwarding.</summary>
    public string? EgressPathSelectionHeader { get; init; }
    /// <summary>g3's <c>ftp_client</c>: the FTP client of ftp:// requests (FTP over HTTP).</summary>
    public FtpClientConfig FtpClient { get; init; } = FtpClientConfig.Default;
}
