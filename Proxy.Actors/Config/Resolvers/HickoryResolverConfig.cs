using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Resolvers;

/// <summary>g3's <c>encryption</c> protocols that G3Actors speaks (QUIC-based ones are refused at load).</summary>
public enum DnsEncryptionProtocol
{
    /// <summary>RFC 7858, default port 853.</summary>
    Tls,
    /// <summary>RFC 8484, default port 443.</summary>
    Https,
}

/// <summary>g3's "dns encryption config": the protocol, the name the server's certificate is checked against, the TLS client settings.</summary>
public sealed record DnsEncryptionConfig(DnsEncryptionProtocol Protocol, string TlsName, TlsClientConfig TlsClient)
{
    public int DefaultPort => Protocol == DnsEncryptionProtocol.Tls ? 853 : 443;
}

/// <summary>
/// g3's <c>hickory</c> resolver. Defaults are those of g3's source (HickoryDriverConfig), which
/// differ from its docs for request_timeout (5s, the docs say 10s).
/// </summary>
public sealed record HickoryResolverConfig : ResolverConfig
{
    public override string TypeName => "hickory";
    public IReadOnlyList<IPAddress> Servers { get; init; } = [];
    public int? ServerPort { get; init; }
    public DnsEncryptionConfig? Encryption { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>g3: once the last server was asked, answers are awaited each_timeout minus retry_interval more.</summary>
    public TimeSpan EachTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int EachTries { get; init; } = 2;
    /// <summary>The next server is asked this long after the previous one, while earlier ones may still answer.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);
    public IPAddress? BindIp { get; init; }
    /// <summary>g3's bind_interface, tcp_misc_opts and udp_misc_opts for the sockets to the servers.</summary>
    public string? BindInterface { get; init; }
    public TcpMiscSockOpts TcpMiscOpts { get; init; } = TcpMiscSockOpts.None;
    public UdpMiscSockOpts UdpMiscOpts { get; init; } = UdpMiscSockOpts.None;

    public int Port => ServerPort ?? Encryption?.DefaultPort ?? 53;
}
