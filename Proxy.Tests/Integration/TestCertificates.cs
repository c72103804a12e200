using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Tests.Integration;

/// <summary>A throw-away CA and leaves it signed (servers for localhost/127.0.0.1, clients for mTLS), made per test run.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;

    public TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=G3Actors Test CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaPem = _ca.ExportCertificatePem();
        var (cert, key) = Leaf("localhost");
        ServerCertificatePem = cert;
        ServerKeyPem = key;
        using var withKey = X509Certificate2.CreateFromPem(cert, key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on Linux.
        ServerCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public string CaPem { get; }
    public X509Certificate2 ServerCertificate { get; }
    /// <summary>The leaf and its key as PEM, for servers the tests start as processes (unbound).</summary>
    public string ServerCertificatePem { get; }
    public string ServerKeyPem { get; }

    /// <summary>A leaf for <paramref name="name"/> (and 127.0.0.1), as PEM certificate and PKCS#8 key.</summary>
    public (string CertPem, string KeyPem) Leaf(string name, bool rsa = false, bool client = false)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = rsa
            ? new CertificateRequest("CN=" + name, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=" + name, (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(client ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        // Signed by the (ECDSA) CA whatever the leaf's own key type.
        using var caKey = _ca.GetECDsaPrivateKey()!;
        using var signed = req.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));
        return (signed.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        ServerCertificate.Dispose();
    }
}
