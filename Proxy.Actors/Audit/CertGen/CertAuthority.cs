using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Proxy.Actors.Audit.CertGen;

/// <summary>The signing CA: its certificate, private key, the PEM appended to every answer, and the signature algorithm.</summary>
internal sealed class CertAuthority
{
    public required X509Certificate Certificate { get; init; }
    public required AsymmetricKeyParameter PrivateKey { get; init; }
    /// <summary>Every certificate of ca_certificate in PEM, appended after the leaf (empty with no_append_ca_cert).</summary>
    public required string ChainPem { get; init; }
    public required string SignatureAlgorithm { get; init; }
    /// <summary>The AuthorityKeyIdentifier leaves carry: the CA's own SKI when it has one, so chain building matches.</summary>
    public required AuthorityKeyIdentifier AuthorityKeyId { get; init; }

    /// <summary>Null with <paramref name="error"/> set when the PEM holds no usable certificate or key, or they do not match.</summary>
    public static CertAuthority? Load(string certPem, string keyPem, bool noAppend, out string error)
    {
        error = "";
        var certs = new List<X509Certificate>();
        AsymmetricKeyParameter? key = null;
        try
        {
            using (var reader = new PemReader(new StringReader(certPem)))
                while (reader.ReadObject() is { } o)
                    if (o is X509Certificate c) certs.Add(c);
            using (var reader = new PemReader(new StringReader(keyPem)))
                while (key is null && reader.ReadObject() is { } o)
                    key = o switch
                    {
                        AsymmetricCipherKeyPair pair => pair.Private,
                        AsymmetricKeyParameter { IsPrivate: true } p => p,
                        _ => null,
                    };
        }
        catch (Exception e) when (e is IOException or PemException or ArgumentException or InvalidCastException)
        {
            error = "cannot read the CA PEM: " + e.Message;
            return null;
        }
        if (certs.Count == 0) { error = "no CA certificate found in ca_certificate"; return null; }
        if (key is null) { error = "no private key found in ca_private_key"; return null; }
        var alg = key switch
        {
            RsaKeyParameters => "SHA256WITHRSA",
            ECPrivateKeyParameters ec when ec.Parameters.Curve.FieldSize <= 256 => "SHA256WITHECDSA",
            ECPrivateKeyParameters ec when ec.Parameters.Curve.FieldSize <= 384 => "SHA384WITHECDSA",
            ECPrivateKeyParameters => "SHA512WITHECDSA",
            _ => null,
        };
        if (alg is null) { error = $"unsupported CA key type {key.GetType().Name} (RSA or EC)"; return null; }
        if (!PublicMatches(certs[0].GetPublicKey(), key)) { error = "ca_private_key does not match ca_certificate"; return null; }

        var ski = certs[0].GetExtensionValue(X509Extensions.SubjectKeyIdentifier);
        var aki = ski is null
            ? X509ExtensionUtilities.CreateAuthorityKeyIdentifier(certs[0].GetPublicKey())
            : new AuthorityKeyIdentifier(((Asn1OctetString)Asn1Object.FromByteArray(ski.GetOctets())).GetOctets());
        var chain = new StringBuilder();
        if (!noAppend)
            foreach (var c in certs) chain.Append(CertPem.Encode(c.GetEncoded()));
        return new CertAuthority
        {
            Certificate = certs[0], PrivateKey = key, ChainPem = chain.ToString(), SignatureAlgorithm = alg, AuthorityKeyId = aki,
        };
    }

    private static bool PublicMatches(AsymmetricKeyParameter pub, AsymmetricKeyParameter priv) => (pub, priv) switch
    {
        (RsaKeyParameters p, RsaKeyParameters k) => p.Modulus.Equals(k.Modulus),
        (ECPublicKeyParameters p, ECPrivateKeyParameters k) => p.Parameters.G.Multiply(k.D).Normalize().Equals(p.Q.Normalize()),
        _ => false,
    };
}

internal static class CertPem
{
    public static string Encode(byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der)) + "\n";
}
