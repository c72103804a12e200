using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Tls;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Tls;

public sealed class TlsServerSetupTests : IDisposable
{
    private readonly TestCertificates _certs = new();

    public void Dispose() => _certs.Dispose();

    private TlsServerSetup RsaThenEcdsa()
    {
        var rsa = _certs.Leaf("localhost", rsa: true);
        var ec = _certs.Leaf("localhost");
        return new TlsServerSetup(new TlsServerConfig
        {
            CertPairs = [new TlsCertPair(rsa.CertPem, rsa.KeyPem), new TlsCertPair(ec.CertPem, ec.KeyPem)],
        });
    }

    private static bool IsEcdsa(X509Certificate2? cert) => cert?.GetECDsaPublicKey() is not null;

    [Fact]
    public void Select_FirstPairWhoseKeyTheClientAccepts()
    {
        var setup = RsaThenEcdsa();
        // ecdsa_secp256r1_sha256 only: the RSA pair is skipped.
        Assert.True(IsEcdsa(setup.Select([0x0403]).TargetCertificate));
        // rsa_pss_rsae_sha256 first in the client's list, or both offered: the first pair (RSA) wins.
        Assert.False(IsEcdsa(setup.Select([0x0804, 0x0403]).TargetCertificate));
        Assert.False(IsEcdsa(setup.Select([0x0403, 0x0804]).TargetCertificate));
    }

    [Fact]
    public void Select_NoSignatureAlgorithmsOrNoneThatFit_GivesTheFirstPair()
    {
        var setup = RsaThenEcdsa();
        Assert.False(IsEcdsa(setup.Select(null).TargetCertificate));
        Assert.False(IsEcdsa(setup.Select([0x0807]).TargetCertificate)); // ed25519 only
    }

    [Fact]
    public void ClientAuth_IsRequired_OnlyWhenEnabled()
    {
        var ec = _certs.Leaf("localhost");
        var plain = new TlsServerSetup(new TlsServerConfig { CertPairs = [new TlsCertPair(ec.CertPem, ec.KeyPem)] });
        var mtls = new TlsServerSetup(new TlsServerConfig { CertPairs = [new TlsCertPair(ec.CertPem, ec.KeyPem)], EnableClientAuth = true, CaCertificatePem = _certs.CaPem });
        Assert.False(plain.Options(plain.Select(null)).ClientCertificateRequired);
        Assert.True(mtls.Options(mtls.Select(null)).ClientCertificateRequired);
    }
}
