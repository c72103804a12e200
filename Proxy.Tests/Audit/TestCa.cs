using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Audit.CertGen;

namespace Proxy.Tests.Audit;

/// <summary>A throw-away interception CA (RSA or P-256) as PEM, and upstream-like leaves it can sign for mimic tests.</summary>
internal sealed class TestCa : IDisposable
{
    public TestCa(bool rsa = false, string name = "G3Actors Interception Test CA")
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = key is RSA r
            ? new CertificateRequest($"CN={name}", r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={name}", (ECDsa)key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        Certificate = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(5));
        CertPem = Certificate.ExportCertificatePem();
        KeyPem = key.ExportPkcs8PrivateKeyPem();
        key.Dispose();
    }

    public X509Certificate2 Certificate { get; }
    public string CertPem { get; }
    public string KeyPem { get; }

    public CertGenConfig Config(Func<CertGenConfig, CertGenConfig>? tweak = null)
    {
        var c = new CertGenConfig { CaCertificatePem = CertPem, CaPrivateKeyPem = KeyPem, Listen = new IPEndPoint(IPAddress.Loopback, 0) };
        return tweak is null ? c : tweak(c);
    }

    /// <summary>A self-signed "real upstream" certificate the generator is asked to mimic.</summary>
    public static X509Certificate2 Upstream(string subject, string[] dnsNames, DateTimeOffset notBefore, DateTimeOffset notAfter, bool rsa, byte[] serial)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = key is RSA r
            ? new CertificateRequest(subject, r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var d in dnsNames) san.AddDnsName(d);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerReq = new CertificateRequest("CN=Some Public CA", issuerKey, HashAlgorithmName.SHA256);
        issuerReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var issuer = issuerReq.CreateSelfSigned(notBefore.AddDays(-1), notAfter.AddDays(1));
        var gen = X509SignatureGenerator.CreateForECDsa(issuerKey);
        return req.Create(issuer.SubjectName, gen, notBefore, notAfter, serial);
    }

    /// <summary>Whether <paramref name="leaf"/> chains to this CA alone (the system store not consulted).</summary>
    public bool Chains(X509Certificate2 leaf, X509Certificate2Collection? extra = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (extra is not null) chain.ChainPolicy.ExtraStore.AddRange(extra);
        return chain.Build(leaf);
    }

    public void Dispose() => Certificate.Dispose();
}
