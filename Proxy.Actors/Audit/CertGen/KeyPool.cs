using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Proxy.Actors.Audit.CertGen;

/// <summary>A leaf key: PKCS#8 DER (what is sent to agents) and its public half for the certificate builder.</summary>
internal sealed record LeafKey(byte[] Pkcs8Der, AsymmetricKeyParameter PublicKey, DateTimeOffset Created);

/// <summary>
/// One current key per algorithm, reused for every leaf until it is older than the refresh interval, as
/// g3fcgen does with its EC key: minting then costs one signature, not a key generation (RSA-2048 takes
/// tens of milliseconds). Keys come from the platform (OpenSSL) and are handed to BouncyCastle as DER.
/// </summary>
internal sealed class KeyPool(TimeProvider time, TimeSpan refreshInterval)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<CertKeyType, LeafKey> _current = [];

    public LeafKey Get(CertKeyType type)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_current.TryGetValue(type, out var key) && now - key.Created < refreshInterval) return key;
        }
        var fresh = Generate(type, now);
        lock (_lock) _current[type] = fresh;
        return fresh;
    }

    private static LeafKey Generate(CertKeyType type, DateTimeOffset now)
    {
        using AsymmetricAlgorithm key = type switch
        {
            CertKeyType.Rsa2048 => RSA.Create(2048),
            _ => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        };
        return new LeafKey(key.ExportPkcs8PrivateKey(), PublicKeyFactory.CreateKey(key.ExportSubjectPublicKeyInfo()), now);
    }
}
