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
public sealed record ProxyHttpEscaperConfig : NextProxyEscaperConfig
{
    public const int DefaultProxyPort = 3128;
    public override string TypeName => Https ? "ProxyHttps" : "ProxyHttp";
    public override int ProxyAddrDefaultPort => DefaultProxyPort;
    public bool Https { get; init; }
    public HttpForwardCapability HttpForwardCapability { get; init; } = HttpForwardCapability.None;
    public int HttpConnectRspHeaderMaxSize { get; init; } = 4096;
    public bool PassProxyUserid { get; init; }
    /// <summary>Fields added to every request to the next proxy (a proxy_float peer's extra_append_headers).</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> AppendHeaders { get; init; } = [];
}
