namespace Proxy.Actors.Config.Servers;

/// <summary>
/// g3's <c>intelli_proxy</c> (alias <c>ppdp_tcp_port</c>): one port; the first byte tells SOCKS
/// (4 or 5) from HTTP, and the connection goes on to <see cref="HttpServer"/> or <see cref="SocksServer"/>.
/// </summary>
public sealed record IntelliProxyServerConfig : ServerConfig
{
    public override string TypeName => "IntelliProxy";
    public string HttpServer { get; init; } = "";
    public string SocksServer { get; init; } = "";
    /// <summary>Silent close when no byte comes within it.</summary>
    public TimeSpan ProtocolDetectionTimeout { get; init; } = TimeSpan.FromSeconds(4);
    /// <summary>1 or 2; null when no PROXY header is expected.</summary>
    public int? ProxyProtocol { get; init; }
    public TimeSpan ProxyProtocolReadTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
