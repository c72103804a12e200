using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Proxy.Actors.Audit.CertAgent;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Tests.Audit.CertAgent;

/// <summary>Answers in the key forms g3fcgen and other generators send: OpenSSL's traditional DER, PKCS#8, PEM.</summary>
public sealed class CertPairDecoderTests
{
    private static (string ChainPem, AsymmetricAlgorithm Key) Leaf(bool rsa)
    {
        using var ca = new TestCa(rsa);
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = key is RSA r
            ? new CertificateRequest("CN=leaf.example.com", r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=leaf.example.com", (ECDsa)key, HashAlgorithmName.SHA256);
        using var caWithKey = X509Certificate2.CreateFromPem(ca.CertPem, ca.KeyPem);
        using var leaf = req.Create(caWithKey, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3]);
        return (leaf.ExportCertificatePem() + "\n" + ca.CertPem, key);
    }

    public static TheoryData<string> KeyForms() => ["ec-sec1-der", "ec-pkcs8-der", "ec-pem", "rsa-pkcs1-der", "rsa-pkcs8-der", "rsa-pem"];

    [Theory]
    [MemberData(nameof(KeyForms))]
    public void EveryKeyForm_GivesALeafWithItsPrivateKeyAndTheChain(string form)
    {
        var (chain, key) = Leaf(form.StartsWith("rsa", StringComparison.Ordinal));
        using var _ = key;
        var (bytes, isPem) = form switch
        {
            "ec-sec1-der" => (((ECDsa)key).ExportECPrivateKey(), false),
            "rsa-pkcs1-der" => (((RSA)key).ExportRSAPrivateKey(), false),
            _ when form.EndsWith("pkcs8-der", StringComparison.Ordinal) => (key.ExportPkcs8PrivateKey(), false),
            _ => (Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()), true),
        };
        var response = new CertGenResponse("leaf.example.com", TlsServiceType.Http, TlsCertUsage.TlsServer, chain, bytes, isPem, 60);

        var cert = CertPairDecoder.Decode(response, out var error);

        Assert.True(cert is not null, error);
        Assert.True(cert.Leaf.HasPrivateKey);
        Assert.Equal("CN=leaf.example.com", cert.Leaf.Subject);
        Assert.Single(cert.Chain);
    }

    [Fact]
    public void KeyOfAnotherCertificate_IsAnErrorValue()
    {
        var (chain, key) = Leaf(rsa: false);
        key.Dispose();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = new CertGenResponse("leaf.example.com", TlsServiceType.Http, TlsCertUsage.TlsServer, chain, other.ExportPkcs8PrivateKey(), false, 60);

        Assert.Null(CertPairDecoder.Decode(response, out var error));
        Assert.StartsWith("unusable certificate or key", error);
    }
}
