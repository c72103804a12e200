namespace Proxy.Actors.Config.Servers;

/// <summary>
/// g3's port servers (plain_tcp_port, plain_tls_port, native_tls_port): accept, read a PROXY
/// header if configured, terminate TLS if configured, and hand the connection to <see cref="NextServer"/>.
/// </summary>
public abstract record PortServerConfig : ServerConfig
{
    /// <summary>g3's <c>server</c>: the server the accepted connections go to.</summary>
    public string NextServer { get; init; } = "";
    /// <summary>1 or 2; null when no PROXY header is expected.</summary>
    public int? ProxyProtocol { get; init; }
    public TimeSpan ProxyProtocolReadTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

public sealed record PlainTcpPortServerConfig : PortServerConfig
{
    public override string TypeName => "PlainTcpPort";
}

public sealed record PlainTlsPortServerConfig : PortServerConfig
{
    public override string TypeName => "PlainTlsPort";
}

/// <summary>g3's native_tls_port is its OpenSSL-backed TLS port; SslStream is OpenSSL on Linux, so it runs as plain_tls_port does.</summary>
public sealed record NativeTlsPortServerConfig : PortServerConfig
{
    public override string TypeName => "NativeTlsPort";
}
