using System.Security.Cryptography;
using System.Text;

namespace Proxy.Actors.Users.Tokens;

/// <summary>
/// A crypt(5) string token (<c>token: "$6$..."</c> or <c>{type: xcrypt_hash, value: ...}</c>):
/// MD5-crypt <c>$1$</c>, SHA-256-crypt <c>$5$</c>, SHA-512-crypt <c>$6$</c>, as g3's xcrypt.
/// </summary>
public sealed record XCryptToken : PasswordToken
{
    private const int MaxPasswordBytes = 1024;

    private enum Method { Md5, Sha256, Sha512 }

    private readonly Method _method;
    private readonly string _salt;
    private readonly int _rounds;
    private readonly byte[] _hash;

    private XCryptToken(string text, Method method, string salt, int rounds, string hash)
    {
        Text = text;
        _method = method;
        _salt = salt;
        _rounds = rounds;
        _hash = Encoding.ASCII.GetBytes(hash);
    }

    /// <summary>The crypt string as configured.</summary>
    public string Text { get; }

    /// <summary>Null with a reason when the string is not a supported crypt string.</summary>
    public static XCryptToken? TryParse(string text, out string? error)
    {
        error = null;
        if (text.StartsWith(Md5Crypt.Prefix, StringComparison.Ordinal))
        {
            if (Md5Crypt.Parse(text[Md5Crypt.Prefix.Length..]) is { } m) return new XCryptToken(text, Method.Md5, m.Salt, 0, m.Hash);
        }
        else if (text.StartsWith(ShaCrypt.Sha256.Prefix, StringComparison.Ordinal))
        {
            if (ShaCrypt.Sha256.Parse(text[3..]) is { } s) return new XCryptToken(text, Method.Sha256, s.Salt, s.Rounds, s.Hash);
        }
        else if (text.StartsWith(ShaCrypt.Sha512.Prefix, StringComparison.Ordinal))
        {
            if (ShaCrypt.Sha512.Parse(text[3..]) is { } s) return new XCryptToken(text, Method.Sha512, s.Salt, s.Rounds, s.Hash);
        }
        else
        {
            error = "unknown crypt prefix (supported: $1$, $5$, $6$)";
            return null;
        }
        error = "malformed crypt string";
        return null;
    }

    public override bool Verify(string password)
    {
        var pw = Encoding.UTF8.GetBytes(password);
        if (pw.Length > MaxPasswordBytes) return false;
        var computed = _method switch
        {
            Method.Md5 => Md5Crypt.Hash(pw, _salt),
            Method.Sha256 => ShaCrypt.Sha256.Hash(pw, _salt, _rounds),
            _ => ShaCrypt.Sha512.Hash(pw, _salt, _rounds),
        };
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), _hash);
    }

    /// <summary>A crypt string for <paramref name="password"/> (what <c>gen-token --crypt</c> prints).</summary>
    public static string Create(string password, string method, string salt)
    {
        var pw = Encoding.UTF8.GetBytes(password);
        return method switch
        {
            "md5" => $"{Md5Crypt.Prefix}{salt}${Md5Crypt.Hash(pw, salt)}",
            "sha256" => $"{ShaCrypt.Sha256.Prefix}{salt}${ShaCrypt.Sha256.Hash(pw, salt, ShaCrypt.RoundsDefault)}",
            "sha512" => $"{ShaCrypt.Sha512.Prefix}{salt}${ShaCrypt.Sha512.Hash(pw, salt, ShaCrypt.RoundsDefault)}",
            _ => throw new ArgumentException($"unknown crypt method '{method}' (md5, sha256, sha512)", nameof(method)),
        };
    }
}
