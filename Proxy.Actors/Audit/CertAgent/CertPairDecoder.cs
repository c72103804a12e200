using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Actors.Audit.CertAgent;

/// <summary>
/// Turns a generator answer into an <see cref="InterceptionCert"/>: the PEM chain (leaf first) and a key
/// as PEM, or DER in PKCS#8, PKCS#1 (RSA) or SEC1 (EC) form — g3fcgen sends OpenSSL's traditional DER.
/// </summary>
internal static class CertPairDecoder
{
    public static InterceptionCert? Decode(CertGenResponse response, out string error)
    {
        error = "";
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(response.CertChainPem);
            if (all.Count == 0) { error = "no certificate in the answer"; return null; }
            var leaf = all[0];
            X509Certificate2 withKey;
            if (leaf.GetRSAPublicKey() is { } rsaPub)
            {
                rsaPub.Dispose();
                using var rsa = RSA.Create();
                ImportKey(rsa, response, rsa.ImportPkcs8PrivateKey, rsa.ImportRSAPrivateKey);
                withKey = leaf.CopyWithPrivateKey(rsa);
            }
            else if (leaf.GetECDsaPublicKey() is { } ecPub)
            {
                ecPub.Dispose();
                using var ec = ECDsa.Create();
                ImportKey(ec, response, ec.ImportPkcs8PrivateKey, ec.ImportECPrivateKey);
                withKey = leaf.CopyWithPrivateKey(ec);
            }
            else
            {
                error = "unsupported leaf key algorithm " + leaf.PublicKey.Oid.FriendlyName;
                return null;
            }
            var chain = new X509Certificate2Collection();
            for (var i = 1; i < all.Count; i++) chain.Add(all[i]);
            leaf.Dispose();
            var context = SslStreamCertificateContext.Create(withKey, chain, offline: true);
            return new InterceptionCert(withKey, chain, context);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // ArgumentException: a key that does not belong to the leaf
            error = "unusable certificate or key: " + e.Message;
            return null;
        }
    }

    private delegate void DerImport(ReadOnlySpan<byte> der, out int read);

    private static void ImportKey(AsymmetricAlgorithm key, CertGenResponse response, DerImport pkcs8, DerImport traditional)
    {
        if (response.KeyIsPem)
        {
            key.ImportFromPem(Encoding.UTF8.GetString(response.Key));
            return;
        }
        try { pkcs8(response.Key, out _); }
        catch (CryptographicException) { traditional(response.Key, out _); }
    }
}
