using System.Net;

namespace Proxy.Actors.Audit.CertGen;

/// <summary>Key algorithm of freshly minted leaves (a mimicked certificate follows the upstream key's algorithm).</summary>
public enum CertKeyType { Ec256, Rsa2048 }

/// <summary>
/// The generator's config, g3fcgen's schema (<c>backend:</c> with ca_certificate, ca_private_key,
/// no_append_ca_cert, keep_serial, max_ttl) plus G3Actors' <c>listen</c> and <c>backend.key_type</c>.
/// </summary>
public sealed record CertGenConfig
{
    public required string CaCertificatePem { get; init; }
    public required string CaPrivateKeyPem { get; init; }
    public bool NoAppendCaCert { get; init; }
    public bool KeepSerial { get; init; }
    /// <summary>Upper bound of the TTL reported to agents, in seconds (g3: default one day, at least 300).</summary>
    public int MaxTtl { get; init; } = 24 * 3600;
    public CertKeyType KeyType { get; init; } = CertKeyType.Ec256;
    /// <summary>g3fcgen's default; <c>-G port&lt;N&gt;</c> and UDP_LISTEN_ADDR override it.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 2999);
    /// <summary>How long a pooled key signs leaves before a fresh one replaces it (g3fcgen refreshes every 300s).</summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromSeconds(300);
    /// <summary>Answers kept for repeated requests of the same host (bounded).</summary>
    public int CacheCapacity { get; init; } = 4096;

    public const int MinMaxTtl = 300;
}
