using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Auditors;

/// <summary>
/// One g3 <c>auditor</c> entry (g3proxy/src/config/audit/auditor.rs). Parsed and validated in full;
/// the interception that reads it is wired to servers separately (docs/audit.md says what is built).
/// </summary>
public sealed record AuditorConfig
{
    public required string Name { get; init; }
    public required ConfigPosition Position { get; init; }
    public ProtocolInspectionConfig ProtocolInspection { get; init; } = new();
    public ProtocolPortMap ServerTcpPortmap { get; init; } = ProtocolPortMap.TcpServerDefault;
    public ProtocolPortMap ClientTcpPortmap { get; init; } = ProtocolPortMap.TcpClientDefault;
    /// <summary>Null: no TLS interception, as in g3.</summary>
    public CertAgentConfig? TlsCertAgent { get; init; }
    public TlsTicketerConfig? TlsTicketer { get; init; }
    public TlsInterceptionClientConfig TlsInterceptionClient { get; init; } = new();
    public TlsInterceptionServerConfig TlsInterceptionServer { get; init; } = new();
    public StreamDumpConfig? TlsStreamDump { get; init; }
    public int LogUriMaxChars { get; init; } = 1024;
    public H1InterceptionConfig H1Interception { get; init; } = new();
    public InspectPolicy H2InspectPolicy { get; init; } = InspectPolicy.InterceptAll;
    public H2InterceptionConfig H2Interception { get; init; } = new();
    public InspectPolicy WebsocketInspectPolicy { get; init; } = InspectPolicy.InterceptAll;
    public InspectPolicy SmtpInspectPolicy { get; init; } = InspectPolicy.InterceptAll;
    public SmtpInterceptionConfig SmtpInterception { get; init; } = new();
    public InspectPolicy ImapInspectPolicy { get; init; } = InspectPolicy.InterceptAll;
    public ImapInterceptionConfig ImapInterception { get; init; } = new();
    public IcapServiceConfig? IcapReqmodService { get; init; }
    public IcapServiceConfig? IcapRespmodService { get; init; }
    /// <summary>g3's task_audit_ratio: the chance that one task is audited at all (0..1).</summary>
    public double TaskAuditRatio { get; init; } = 1.0;
}

/// <summary>g3's protocol_inspection (lib/g3-dpi ProtocolInspectionConfig).</summary>
public sealed record ProtocolInspectionConfig
{
    public int InspectMaxDepth { get; init; } = 4;
    public int Data0BufferSize { get; init; } = 4096;
    public TimeSpan Data0WaitTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan Data0ReadTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public InspectionSizeLimit Data0SizeLimit { get; init; } = new();
}

/// <summary>g3's data0_size_limit: bytes to read before giving up on recognising one protocol.</summary>
public sealed record InspectionSizeLimit
{
    public int FtpGreetingMsg { get; init; } = 512;
    public int HttpRequestUri { get; init; } = 4096;
    public int ImapGreetingMsg { get; init; } = 512;
    public int NatsInfoLine { get; init; } = 1024;
    public int LdapRequestMsg { get; init; } = 4096;
}

/// <summary>g3's SocketBufferConfig: null sizes leave the OS default.</summary>
public sealed record SocketBufferConfig(int? Receive, int? Send)
{
    public static readonly SocketBufferConfig Default = new(null, null);
}

/// <summary>g3's tls_cert_agent (lib/g3-cert-agent CertAgentConfig); defaults are g3's.</summary>
public sealed record CertAgentConfig
{
    public System.Net.IPEndPoint QueryPeerAddr { get; init; } = new(System.Net.IPAddress.Loopback, 2999);
    public SocketBufferConfig QuerySocketBuffer { get; init; } = SocketBufferConfig.Default;
    public TimeSpan QueryWaitTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public uint ProtectiveCacheTtl { get; init; } = 10;
    public uint MaximumCacheTtl { get; init; } = 300;
    public int CacheRequestBatchCount { get; init; } = 10;
    public TimeSpan CacheRequestTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public TimeSpan CacheVanishWait { get; init; } = TimeSpan.FromSeconds(300);
}

/// <summary>g3's tls_ticketer without a remote source: local rolling keys only.</summary>
public sealed record TlsTicketerConfig
{
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(300);
    public uint LocalLifetime { get; init; } = 12 * 60 * 60;
}

/// <summary>g3's tls_interception_client: how the proxy verifies the real server.</summary>
public sealed record TlsInterceptionClientConfig
{
    public string? MinTlsVersion { get; init; }
    public string? MaxTlsVersion { get; init; }
    public string? CaCertificatePem { get; init; }
    public bool NoDefaultCaCertificate { get; init; }
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public bool NoSessionCache { get; init; }
    public int SessionCacheLruMaxSites { get; init; } = 128;
    public int SessionCacheEachCapacity { get; init; } = 16;
    /// <summary>DANGEROUS (g3): skip verification of the real server's certificate.</summary>
    public bool Insecure { get; init; }
}

/// <summary>g3's tls_interception_server: the proxy's side of the client handshake.</summary>
public sealed record TlsInterceptionServerConfig
{
    public TimeSpan AcceptTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>g3's stream dump (lib/g3-udpdump): decrypted streams to Wireshark's udpdump.</summary>
public sealed record StreamDumpConfig
{
    public System.Net.IPEndPoint Peer { get; init; } = new(System.Net.IPAddress.Loopback, 5555);
    public SocketBufferConfig SocketBuffer { get; init; } = SocketBufferConfig.Default;
    /// <summary>udp_misc_opts of the socket that sends the dump.</summary>
    public UdpMiscSockOpts MiscOpts { get; init; } = new();
    public int PacketSize { get; init; } = 1480;
    public bool ClientSide { get; init; }
}
