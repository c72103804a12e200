using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Actors.Users.Tokens;

/// <summary>
/// SHA-256-crypt (<c>$5$</c>) and SHA-512-crypt (<c>$6$</c>), Ulrich Drepper's specification, with the
/// optional <c>rounds=N$</c> field. Written here because no served library implements crypt(3).
/// </summary>
internal sealed class ShaCrypt
{
    public const int RoundsDefault = 5000;
    private const int RoundsMin = 1000;
    private const int RoundsMax = 999_999_999;
    private const int SaltMax = 16;

    public static readonly ShaCrypt Sha256 = new("$5$", HashAlgorithmName.SHA256, 32, 43,
    [
        (0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14),
        (15, 25, 5), (6, 16, 26), (27, 7, 17), (18, 28, 8), (9, 19, 29),
    ], (-1, 31, 30, 3));

    public static readonly ShaCrypt Sha512 = new("$6$", HashAlgorithmName.SHA512, 64, 86,
    [
        (0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4), (47, 5, 26), (6, 27, 48),
        (28, 49, 7), (50, 8, 29), (9, 30, 51), (31, 52, 10), (53, 11, 32), (12, 33, 54), (34, 55, 13),
        (56, 14, 35), (15, 36, 57), (37, 58, 16), (59, 17, 38), (18, 39, 60), (40, 61, 19), (62, 20, 41),
    ], (-1, -1, 63, 2));

    private readonly HashAlgorithmName _algorithm;
    private readonly int _hashBytes;
    private readonly (int B2, int B1, int B0)[] _groups;
    private readonly (int B2, int B1, int B0, int Chars) _tail;

    private ShaCrypt(string prefix, HashAlgorithmName algorithm, int hashBytes, int hashChars,
        (int, int, int)[] groups, (int, int, int, int) tail)
    {
        Prefix = prefix;
        _algorithm = algorithm;
        _hashBytes = hashBytes;
        HashChars = hashChars;
        _groups = groups;
        _tail = tail;
    }

    public string Prefix { get; }
    public int HashChars { get; }

    /// <summary>Splits <c>[rounds=N$]salt$hash</c> (after the prefix); null when malformed.</summary>
    public (int Rounds, bool ExplicitRounds, string Salt, string Hash)? Parse(string rest)
    {
        var rounds = RoundsDefault;
        var explicitRounds = false;
        if (rest.StartsWith("rounds=", StringComparison.Ordinal))
        {
            var end = rest.IndexOf('$');
            if (end < 0 || !int.TryParse(rest.AsSpan(7, end - 7), NumberStyles.None, CultureInfo.InvariantCulture, out rounds)) return null;
            rounds = Math.Clamp(rounds, RoundsMin, RoundsMax);
            explicitRounds = true;
            rest = rest[(end + 1)..];
        }
        var dollar = rest.IndexOf('$');
        if (dollar < 0) return null;
        var salt = rest[..dollar];
        var hash = rest[(dollar + 1)..];
        if (salt.Length > SaltMax || hash.Length != HashChars || !CryptBase64.IsValid(hash)) return null;
        return (rounds, explicitRounds, salt, hash);
    }

    public string Hash(byte[] password, string salt, int rounds)
    {
        var s = Encoding.UTF8.GetBytes(salt);
        using var ctx = IncrementalHash.CreateHash(_algorithm);

        ctx.AppendData(password); ctx.AppendData(s); ctx.AppendData(password);
        var b = ctx.GetHashAndReset();

        ctx.AppendData(password); ctx.AppendData(s);
        var cnt = password.Length;
        for (; cnt > _hashBytes; cnt -= _hashBytes) ctx.AppendData(b);
        ctx.AppendData(b, 0, cnt);
        for (cnt = password.Length; cnt > 0; cnt >>= 1)
        {
            if ((cnt & 1) != 0) ctx.AppendData(b); else ctx.AppendData(password);
        }
        var a = ctx.GetHashAndReset();

        for (var i = 0; i < password.Length; i++) ctx.AppendData(password);
        var p = Repeat(ctx.GetHashAndReset(), password.Length);

        for (var i = 0; i < 16 + a[0]; i++) ctx.AppendData(s);
        var sBytes = Repeat(ctx.GetHashAndReset(), s.Length);

        for (var r = 0; r < rounds; r++)
        {
            if ((r & 1) != 0) ctx.AppendData(p); else ctx.AppendData(a);
            if (r % 3 != 0) ctx.AppendData(sBytes);
            if (r % 7 != 0) ctx.AppendData(p);
            if ((r & 1) != 0) ctx.AppendData(a); else ctx.AppendData(p);
            a = ctx.GetHashAndReset();
        }

        var sb = new StringBuilder(HashChars);
        foreach (var (b2, b1, b0) in _groups) CryptBase64.Append(sb, a[b2], a[b1], a[b0], 4);
        CryptBase64.Append(sb, At(a, _tail.B2), At(a, _tail.B1), At(a, _tail.B0), _tail.Chars);
        return sb.ToString();
    }

    private static byte At(byte[] a, int i) => i < 0 ? (byte)0 : a[i];

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="digest"/> repeated.</summary>
    private static byte[] Repeat(byte[] digest, int length)
    {
        var result = new byte[length];
        for (var i = 0; i < length; i++) result[i] = digest[i % digest.Length];
        return result;
    }
}
