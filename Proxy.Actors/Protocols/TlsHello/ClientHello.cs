namespace Proxy.Actors.Protocols.TlsHello;

/// <summary>What a proxy needs from a ClientHello: versions, SNI, ALPN, signature schemes, cipher count.</summary>
/// <remarks>Lists keep the client's order and include GREASE values (RFC 8701) as sent.</remarks>
internal sealed record ClientHello(
    ushort LegacyVersion,
    IReadOnlyList<ushort> SupportedVersions,
    string? ServerName,
    IReadOnlyList<string> Alpn,
    IReadOnlyList<ushort> SignatureAlgorithms,
    int CipherSuiteCount,
    IReadOnlyList<ushort> ExtensionTypes)
{
    /// <summary>The highest version offered: from supported_versions (GREASE skipped) when present, else legacy_version.</summary>
    public ushort MaxVersion
    {
        get
        {
            ushort max = 0;
            foreach (var v in SupportedVersions)
                if (!SignatureSchemes.IsGrease(v) && v > max) max = v;
            return max == 0 ? LegacyVersion : max;
        }
    }

    /// <summary>The client accepts an ECDSA certificate (signature_algorithms names an ECDSA scheme).</summary>
    public bool AcceptsEcdsa => SignatureAlgorithms.Any(SignatureSchemes.IsEcdsa);

    /// <summary>The client accepts an RSA certificate; also true without signature_algorithms (pre-1.2 clients assume RSA).</summary>
    public bool AcceptsRsa => SignatureAlgorithms.Count == 0 || SignatureAlgorithms.Any(SignatureSchemes.IsRsa);
}
