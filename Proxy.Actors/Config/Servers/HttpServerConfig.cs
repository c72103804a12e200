namespace Proxy.Actors.Config.Servers;

/// <summary>
/// The keys g3's http_proxy and http_rproxy share: how requests are read from the client, how
/// long the origin may take to answer, upstream keep-alive and the login realm.
/// </summary>
public abstract record HttpServerConfig : ServerConfig
{
    public string? ServerId { get; init; }
    public string AuthRealm { get; init; } = "proxy";
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
    /// <summary>
    /// g3's <c>untrusted_read_speed_limit</c>: when set, the body of a request that brought no
    /// credentials is read (at its north limit) and dropped after the challenge, keeping the
    /// connection; unset, such a connection closes.
    /// </summary>
    public Values.TcpSockSpeedLimit? UntrustedReadSpeedLimit { get; init; }
    public int BodyLineMaxLength { get; init; } = 8192;
    public bool UpstreamKeepaliveEnable { get; init; } = true;
    public TimeSpan UpstreamKeepaliveIdleExpire { get; init; } = TimeSpan.FromSeconds(60);
}
