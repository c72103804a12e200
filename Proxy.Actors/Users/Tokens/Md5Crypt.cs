using System.Security.Cryptography;
using System.Text;

namespace Proxy.Actors.Users.Tokens;

/// <summary>
/// MD5-crypt (<c>$1$salt$hash</c>, Poul-Henning Kamp's FreeBSD scheme), written here because no served
/// library implements crypt(3) (docs/users.md).
/// </summary>
internal static class Md5Crypt
{
    public const string Prefix = "$1$";
    private const int SaltMax = 8;
    private const int HashChars = 22;

    /// <summary>Splits <c>salt$hash</c> (after the prefix); null when malformed.</summary>
    public static (string Salt, string Hash)? Parse(string rest)
    {
        var dollar = rest.IndexOf('$');
        if (dollar < 0) return null;
        var salt = rest[..dollar];
        var hash = rest[(dollar + 1)..];
        if (salt.Length > SaltMax || hash.Length != HashChars || !CryptBase64.IsValid(hash) || salt.Contains('$')) return null;
        return (salt, hash);
    }

    public static string Hash(byte[] password, string salt)
    {
        var saltBytes = Encoding.UTF8.GetBytes(salt);
        var alt = MD5.HashData([.. password, .. saltBytes, .. password]);

        using var ctx = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        ctx.AppendData(password);
        ctx.AppendData(Encoding.ASCII.GetBytes(Prefix));
        ctx.AppendData(saltBytes);
        for (var left = password.Length; left > 0; left -= 16) ctx.AppendData(alt, 0, Math.Min(left, 16));
        for (var i = password.Length; i != 0; i >>= 1)
        {
            if ((i & 1) != 0) ctx.AppendData([0]);
            else ctx.AppendData(password, 0, Math.Min(1, password.Length));
        }
        var final = ctx.GetHashAndReset();

        for (var i = 0; i < 1000; i++)
        {
            if ((i & 1) != 0) ctx.AppendData(password); else ctx.AppendData(final);
            if (i % 3 != 0) ctx.AppendData(saltBytes);
            if (i % 7 != 0) ctx.AppendData(password);
            if ((i & 1) != 0) ctx.AppendData(final); else ctx.AppendData(password);
            final = ctx.GetHashAndReset();
        }

        var sb = new StringBuilder(HashChars);
        CryptBase64.Append(sb, final[0], final[6], final[12], 4);
        CryptBase64.Append(sb, final[1], final[7], final[13], 4);
        CryptBase64.Append(sb, final[2], final[8], final[14], 4);
        CryptBase64.Append(sb, final[3], final[9], final[15], 4);
        CryptBase64.Append(sb, final[4], final[10], final[5], 4);
        CryptBase64.Append(sb, 0, 0, final[11], 2);
        return sb.ToString();
    }
}
