namespace Proxy.Actors.Protocols.TlsHello;

/// <summary>Classifies TLS SignatureScheme codes (RFC 8446 4.2.3, TLS 1.2 hash/signature pairs) by certificate key type.</summary>
internal static class SignatureSchemes
{
    public const ushort RsaPkcs1Sha256 = 0x0401;
    public const ushort EcdsaSecp256r1Sha256 = 0x0403;
    public const ushort RsaPssRsaeSha256 = 0x0804;
    public const ushort Ed25519 = 0x0807;

    /// <summary>ECDSA with any hash (TLS 1.2 pairs x/3, TLS 1.3 secp* and brainpool schemes).</summary>
    public static bool IsEcdsa(ushort scheme) =>
        ((scheme & 0xFF) == 0x03 && (scheme >> 8) is >= 0x01 and <= 0x06)
        || scheme is >= 0x081A and <= 0x081C;

    /// <summary>Signatures an rsaEncryption key can make: PKCS#1 v1.5 (x/1) and RSA-PSS "rsae" (0x0804..0x0806).</summary>
    public static bool IsRsa(ushort scheme) =>
        ((scheme & 0xFF) == 0x01 && (scheme >> 8) is >= 0x01 and <= 0x06)
        || scheme is >= 0x0804 and <= 0x0806;

    /// <summary>RFC 8701 reserved values 0x?A?A that clients sprinkle in to keep servers tolerant.</summary>
    public static bool IsGrease(ushort value) => (value & 0x0F0F) == 0x0A0A && (value >> 8) == (value & 0xFF);
}
