namespace Proxy.Actors.Config.Values;

/// <summary>One certificate chain and its private key (g3's tls cert pair), as PEM text.</summary>
public sealed record TlsCertPair(string CertificatePem, string PrivateKeyPem);

/// <summary>g3's <c>tls_server</c> (rustls server config): the pairs to serve, client auth, resumption, timeout.</summary>
public sealed record TlsServerConfig
{
    public required IReadOnlyList<TlsCertPair> CertPairs { get; init; }
    public bool EnableClientAuth { get; init; }
    /// <summary>CAs a client certificate must chain to; null means the system store.</summary>
    public string? CaCertificatePem { get; init; }
    public bool NoSessionTicket { get; init; }
    public bool NoSessionCache { get; init; }
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
