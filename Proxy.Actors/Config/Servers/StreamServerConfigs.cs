using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Servers;

/// <summary>Which connection fact picks the user of a facts group (g3's FactsMatchType, set by the auth_by_* keys).</summary>
public enum FactsAuthMatch { ClientIp, ServerIp, ServerName }

/// <summary>The servers whose user comes from a facts group: tcp_stream, tls_stream, tcp_tproxy, sni_proxy.</summary>
public interface IFactsAuthServer
{
    /// <summary>Null: the server authenticates nobody (its user_group, if any, is unused, as in g3).</summary>
    FactsAuthMatch? AuthMatch { get; }
}

/// <summary>g3's tcp_stream and tls_stream: every connection goes to one of a fixed list of upstreams.</summary>
public abstract record StreamServerConfig : ServerConfig, IFactsAuthServer
{
    public FactsAuthMatch? AuthMatch { get; init; }
    /// <summary>g3's <c>upstream</c> (alias <c>proxy_pass</c>), weighted.</summary>
    public IReadOnlyList<Weighted<UpstreamAddr>> Upstream { get; init; } = [];
    public SelectivePickPolicy UpstreamPickPolicy { get; init; } = SelectivePickPolicy.Random;
    /// <summary>TLS towards the upstream (TLS offloading); null is plain TCP.</summary>
    public TlsClientConfig? TlsClient { get; init; }
    /// <summary>The name the upstream's certificate is verified against; g3 defaults it to the first upstream's host.</summary>
    public string? UpstreamTlsName { get; init; }
}

/// <summary>g3's <c>tcp_stream</c>: a local TCP port mapped to remote ones.</summary>
public sealed record TcpStreamServerConfig : StreamServerConfig
{
    public override string TypeName => "TcpStream";
}

/// <summary>g3's <c>tls_stream</c>: TLS terminated (its <c>tls_server</c>, required) in front of the upstreams.</summary>
public sealed record TlsStreamServerConfig : StreamServerConfig
{
    public override string TypeName => "TlsStream";
}

/// <summary>g3's <c>tcp_tproxy</c>: intercepted connections go on to the address the client dialled.</summary>
public sealed record TcpTProxyServerConfig : ServerConfig, IFactsAuthServer
{
    public FactsAuthMatch? AuthMatch { get; init; }
    public override string TypeName => "TcpTProxy";
}

/// <summary>One <c>allowed_hosts</c> entry of sni_proxy: where a matched name really goes.</summary>
public sealed record SniHostConfig(string? RedirectHost, int? RedirectPort)
{
    public UpstreamAddr Redirect(UpstreamAddr requested) => new(RedirectHost ?? requested.Host, RedirectPort ?? requested.Port);
}

/// <summary>g3's <c>sni_proxy</c>: the target is the TLS SNI or the HTTP Host, on the port the client dialled.</summary>
public sealed record SniProxyServerConfig : ServerConfig, IFactsAuthServer
{
    public FactsAuthMatch? AuthMatch { get; init; }
    public override string TypeName => "SniProxy";
    public int TlsMaxClientHelloSize { get; init; } = 1 << 16;
    public TimeSpan RequestWaitTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan RequestRecvTimeout { get; init; } = TimeSpan.FromSeconds(4);
    /// <summary>Null: every host is served.</summary>
    public HostMatch<SniHostConfig>? AllowedHosts { get; init; }
    /// <summary>How the first bytes are recognised as TLS or HTTP (data0_size_limit; the port maps order the checks).</summary>
    public Auditors.ProtocolInspectionConfig ProtocolInspection { get; init; } = new();
    public Auditors.ProtocolPortMap ServerTcpPortmap { get; init; } = Auditors.ProtocolPortMap.TcpServerDefault;
    public Auditors.ProtocolPortMap ClientTcpPortmap { get; init; } = Auditors.ProtocolPortMap.TcpClientDefault;
    /// <summary>Also sets the listener's Transparent (IP_TRANSPARENT), whichever key came first.</summary>
    public bool ListenTransparent { get; init; }
}
