using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Servers;

/// <summary>g3's http forwarded header type: which header carries the client's address to the upstream.</summary>
public enum HttpForwardedHeaderType
{
    /// <summary><c>none</c>: no header.</summary>
    None,
    /// <summary><c>classic</c>: <c>X-Forwarded-For: &lt;client ip&gt;</c>.</summary>
    Classic,
    /// <summary><c>standard</c>: RFC 7239 <c>Forwarded: for=&lt;client&gt;; by=&lt;server&gt;</c>.</summary>
    Standard,
}

/// <summary>One local site of an http_rproxy (a value of its <c>hosts</c>): where its requests go.</summary>
public sealed record HttpRProxyHostConfig
{
    /// <summary>The upstream, port 80 when omitted; g3 requires it.</summary>
    public UpstreamAddr? Upstream { get; init; }
    /// <summary>TLS towards the upstream; null is plain HTTP.</summary>
    public TlsClientConfig? TlsClient { get; init; }
    /// <summary>The name the upstream's certificate is checked against; g3 defaults it to the upstream's host.</summary>
    public string? TlsName { get; init; }
    /// <summary>This site's certificates (picked by SNI); null falls back to global_tls_server.</summary>
    public TlsServerConfig? TlsServer { get; init; }
}

/// <summary>g3's <c>http_rproxy</c> (aliases http_reverse_proxy, http_gateway): an HTTP reverse proxy to per-host upstreams.</summary>
public sealed record HttpRProxyServerConfig : HttpServerConfig
{
    // g3's http_rproxy defaults its realm to "g3proxy" (http_proxy's is "proxy").
    public HttpRProxyServerConfig() => AuthRealm = "g3proxy";

    public override string TypeName => "HttpRProxy";
    public HttpForwardedHeaderType AppendForwardedFor { get; init; } = HttpForwardedHeaderType.Classic;
    /// <summary>The local sites by the host a request names (Host header, or SNI for the certificate).</summary>
    public HostMatch<HttpRProxyHostConfig> Hosts { get; init; } = new(new Dictionary<string, HttpRProxyHostConfig>(), [], null);
    /// <summary>Every connection is TLS; a site without a certificate (its own or the global one) is dropped.</summary>
    public bool EnableTlsServer { get; init; }
    public TlsServerConfig? GlobalTlsServer { get; init; }
    public TimeSpan ClientHelloRecvTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
