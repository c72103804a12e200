namespace Proxy.Actors.Config.Values;

/// <summary>g3's "openssl tls client config" (<c>tls_client</c>). PEM text is loaded at config time.</summary>
public sealed record TlsClientConfig
{
    public string? CaCertificatePem { get; init; }
    public bool NoDefaultCaCertificate { get; init; }
    public string? CertificatePem { get; init; }
    public string? PrivateKeyPem { get; init; }
    public bool DisableSni { get; init; }
    public bool Insecure { get; init; }
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>"tls1.2", "tls1.3" or null for the platform default.</summary>
    public string? MinTlsVersion { get; init; }
    public string? MaxTlsVersion { get; init; }
    public IReadOnlyList<string> Alpn { get; init; } = [];
    public static readonly TlsClientConfig Default = new();
}
