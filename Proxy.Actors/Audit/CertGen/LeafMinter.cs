using System.Net;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Actors.Audit.CertGen;

/// <summary>A minted answer, or why there is none (a bad mimic certificate is the requester's problem, not a crash).</summary>
internal sealed record MintResult(CertGenResponse? Response, string? Error);

/// <summary>
/// Mints leaf certificates signed by the CA, as g3's TlsServerCertBuilder and MimicCertBuilder do:
/// a fresh leaf carries CN and SAN from the host; a mimicked one copies the upstream's subject, SANs,
/// validity, key usages (and serial with keep_serial) onto a key of the same algorithm.
/// </summary>
internal sealed class LeafMinter(CertAuthority ca, KeyPool keys, CertGenConfig config, TimeProvider time)
{
    private static readonly KeyUsage TlsGeneral = new(KeyUsage.KeyAgreement | KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment);
    private static readonly KeyUsage TlcpSign = new(KeyUsage.NonRepudiation | KeyUsage.DigitalSignature);
    private static readonly KeyUsage TlcpEnc = new(KeyUsage.KeyAgreement | KeyUsage.KeyEncipherment | KeyUsage.DataEncipherment);

    private readonly SecureRandom _random = new();

    public MintResult Mint(CertGenRequest request)
    {
        try
        {
            return request.MimicCertDer is { } der ? Mimic(request, der) : Fresh(request);
        }
        catch (Exception e) when (e is CertificateException or ArgumentException or InvalidOperationException
                                      or SecurityUtilityException or IOException or Asn1Exception)
        {
            return new MintResult(null, $"{request.Host}: cert generation failed: {e.Message}");
        }
    }

    private MintResult Fresh(CertGenRequest request)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = keys.Get(config.KeyType);
        var gen = Start(key, RandomSerial());
        var notBefore = Max(now.AddDays(-1), ca.Certificate.NotBefore);
        var notAfter = Min(now.AddDays(365), ca.Certificate.NotAfter);
        gen.SetNotBefore(notBefore);
        gen.SetNotAfter(notAfter);
        var host = request.Host.Trim('[', ']');
        var isIp = IPAddress.TryParse(host, out var ip);
        gen.SetSubjectDN(new X509Name([X509Name.CN], [isIp ? ip!.ToString() : host]));
        gen.AddExtension(X509Extensions.KeyUsage, true, TlsGeneral);
        gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth));
        var san = isIp ? new GeneralName(GeneralName.IPAddress, ip!.ToString()) : new GeneralName(GeneralName.DnsName, host);
        gen.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(san));
        gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.PublicKey));
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, ca.AuthorityKeyId);
        return Pack(request, gen, key, notAfter, now);
    }

    private MintResult Mimic(CertGenRequest request, byte[] der)
    {
        var upstream = new X509CertificateParser().ReadCertificate(der)
                       ?? throw new CertificateException("the mimic cert holds no certificate");
        var now = time.GetUtcNow().UtcDateTime;
        if (upstream.NotAfter < now) return new MintResult(null, $"{request.Host}: the mimic cert is already expired");
        // g3 keeps the upstream's algorithm; RSA and P-256 are what SslStream serves, so other curves get P-256
        var key = keys.Get(upstream.GetPublicKey() is RsaKeyParameters ? CertKeyType.Rsa2048 : CertKeyType.Ec256);
        var gen = Start(key, config.KeepSerial ? upstream.SerialNumber : RandomSerial());
        gen.SetNotBefore(upstream.NotBefore);
        gen.SetNotAfter(upstream.NotAfter);
        gen.SetSubjectDN(upstream.SubjectDN);
        switch (request.Usage)
        {
            case TlsCertUsage.TlcpServerSignature: gen.AddExtension(X509Extensions.KeyUsage, true, TlcpSign); break;
            case TlsCertUsage.TlcpServerEncryption: gen.AddExtension(X509Extensions.KeyUsage, true, TlcpEnc); break;
            case TlsCertUsage.TlsServerTongsuo: gen.AddExtension(X509Extensions.KeyUsage, true, TlsGeneral); break;
            default: CopyOr(gen, upstream, X509Extensions.KeyUsage, TlsGeneral, true); break;
        }
        CopyOr(gen, upstream, X509Extensions.ExtendedKeyUsage, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth), false);
        if (upstream.GetExtensionValue(X509Extensions.SubjectAlternativeName) is not null)
            gen.CopyAndAddExtension(X509Extensions.SubjectAlternativeName, false, upstream);
        if (upstream.GetExtensionValue(X509Extensions.SubjectKeyIdentifier) is not null)
            gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.PublicKey));
        if (upstream.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier) is not null)
            gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, ca.AuthorityKeyId);
        return Pack(request, gen, key, upstream.NotAfter, now);
    }

    private X509V3CertificateGenerator Start(LeafKey key, BigInteger serial)
    {
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(serial);
        gen.SetIssuerDN(ca.Certificate.SubjectDN);
        gen.SetPublicKey(key.PublicKey);
        return gen;
    }

    /// <summary>g3 (MimicCertBuilder) requires these extensions on the upstream; a certificate without them gets the TLS defaults.</summary>
    private static void CopyOr(X509V3CertificateGenerator gen, X509Certificate upstream, DerObjectIdentifier oid, Asn1Encodable fallback, bool critical)
    {
        if (upstream.GetExtensionValue(oid) is not null) gen.CopyAndAddExtension(oid, upstream.GetCriticalExtensionOids()?.Contains(oid.Id) ?? critical, upstream);
        else gen.AddExtension(oid, critical, fallback);
    }

    /// <summary>128 random bits with the top bit set, as g3's serial::random_16: positive and distinct per leaf.</summary>
    private BigInteger RandomSerial() => new BigInteger(128, _random).SetBit(127);

    private MintResult Pack(CertGenRequest request, X509V3CertificateGenerator gen, LeafKey key, DateTime notAfter, DateTime now)
    {
        var cert = gen.Generate(new Asn1SignatureFactory(ca.SignatureAlgorithm, ca.PrivateKey, _random));
        var ttl = (uint)Math.Clamp((notAfter - now).TotalSeconds, 0, config.MaxTtl);
        var chain = CertPem.Encode(cert.GetEncoded()) + ca.ChainPem;
        return new MintResult(new CertGenResponse(request.Host, request.Service, request.Usage, chain, key.Pkcs8Der, false, ttl), null);
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
