namespace Proxy.Actors.Protocols.CertGen;

/// <summary>g3's TlsServiceType, with its wire numbers.</summary>
public enum TlsServiceType : byte { Http = 0, Smtp = 1, Imap = 2 }

/// <summary>g3's TlsCertUsage, with its wire numbers.</summary>
public enum TlsCertUsage : byte { TlsServer = 0, TlsServerTongsuo = 1, TlcpServerSignature = 11, TlcpServerEncryption = 12 }

/// <summary>
/// One certificate request of g3's generator protocol (lib/g3-cert-agent): the host (SNI or IP),
/// and when the real upstream certificate is known, its DER to mimic.
/// </summary>
public sealed record CertGenRequest(string Host, TlsServiceType Service, TlsCertUsage Usage, byte[]? MimicCertDer)
{
    /// <summary>g3's cache key (service, usage, host): the mimic certificate is not part of it.</summary>
    public CertCacheKey Key => new(Service, Usage, Host);
}

public readonly record struct CertCacheKey(TlsServiceType Service, TlsCertUsage Usage, string Host);

/// <summary>
/// The generator's answer: the PEM chain (leaf first), the private key (PEM text or DER bytes, as the
/// peer sent it) and a cache TTL in seconds (0: the agent's protective TTL).
/// </summary>
public sealed record CertGenResponse(
    string Host, TlsServiceType Service, TlsCertUsage Usage, string CertChainPem, byte[] Key, bool KeyIsPem, uint Ttl)
{
    public CertCacheKey CacheKey => new(Service, Usage, Host);
}
