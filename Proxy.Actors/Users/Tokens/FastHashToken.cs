using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Actors.Users.Tokens;

/// <summary>
/// g3's fast hash token <c>{salt, md5, sha1, blake3}</c>: each hash is over the UTF-8 password followed
/// by the 8 salt bytes; every hash given must match (compared in constant time).
/// </summary>
public sealed record FastHashToken : PasswordToken
{
    public const int SaltLength = 8;
    private const int MaxPasswordBytes = 1024;

    public FastHashToken(byte[] salt, byte[]? md5, byte[]? sha1, byte[]? blake3)
    {
        if (salt.Length != SaltLength) throw new ArgumentException($"salt must be {SaltLength} bytes", nameof(salt));
        if (md5 is null && sha1 is null && blake3 is null) throw new ArgumentException("no hash is set");
        if (md5 is { Length: not MD5.HashSizeInBytes }) throw new ArgumentException("invalid length for md5", nameof(md5));
        if (sha1 is { Length: not SHA1.HashSizeInBytes }) throw new ArgumentException("invalid length for sha1", nameof(sha1));
        if (blake3 is { Length: not Blake3.Hash.Size }) throw new ArgumentException("invalid length for blake3", nameof(blake3));
        Salt = salt;
        Md5 = md5;
        Sha1 = sha1;
        Blake3Hash = blake3;
    }

    public byte[] Salt { get; }
    public byte[]? Md5 { get; }
    public byte[]? Sha1 { get; }
    public byte[]? Blake3Hash { get; }

    public override bool Verify(string password)
    {
        var len = Encoding.UTF8.GetByteCount(password);
        if (len > MaxPasswordBytes) return false;
        var rented = ArrayPool<byte>.Shared.Rent(len + SaltLength);
        try
        {
            var input = rented.AsSpan(0, len + SaltLength);
            Encoding.UTF8.GetBytes(password, input);
            Salt.CopyTo(input[len..]);
            Span<byte> hash = stackalloc byte[32];
            var ok = true;
            if (Md5 is not null)
            {
                MD5.HashData(input, hash);
                ok &= CryptographicOperations.FixedTimeEquals(hash[..MD5.HashSizeInBytes], Md5);
            }
            if (Sha1 is not null)
            {
                SHA1.HashData(input, hash);
                ok &= CryptographicOperations.FixedTimeEquals(hash[..SHA1.HashSizeInBytes], Sha1);
            }
            if (Blake3Hash is not null)
            {
                Blake3.Hasher.Hash(input, hash);
                ok &= CryptographicOperations.FixedTimeEquals(hash, Blake3Hash);
            }
            return ok;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    /// <summary>The token for <paramref name="password"/> with every hash (what <c>gen-token</c> prints).</summary>
    public static FastHashToken Create(string password, byte[] salt)
    {
        var input = Encoding.UTF8.GetBytes(password).Concat(salt).ToArray();
        var b3 = new byte[Blake3.Hash.Size];
        Blake3.Hasher.Hash(input, b3);
        return new FastHashToken(salt, MD5.HashData(input), SHA1.HashData(input), b3);
    }
}
