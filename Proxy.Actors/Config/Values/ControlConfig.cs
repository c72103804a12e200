namespace Proxy.Actors.Config.Values;

/// <summary>G3Actors-only <c>control:</c> section: where the pbm endpoint listens.</summary>
public sealed record ControlConfig
{
    public string Listen { get; init; } = "127.0.0.1:9110";
    public string? Token { get; init; }
    /// <summary>PEM certificate chain for TLS on the control endpoint (required off loopback).</summary>
    public string? TlsCertificate { get; init; }
    /// <summary>PEM private key of <see cref="TlsCertificate"/>.</summary>
    public string? TlsPrivateKey { get; init; }
}
