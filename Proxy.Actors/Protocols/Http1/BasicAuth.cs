using System.Text;

namespace Proxy.Actors.Protocols.Http1;

public enum BasicAuthParse { Ok, NotBasic, Invalid }

/// <summary>Credentials from a <c>Basic</c> Authorization / Proxy-Authorization value.</summary>
public readonly record struct BasicCredentials(string Username, string Password);

/// <summary>
/// HTTP Basic authentication as g3 reads it (lib/g3-types net/http/auth/basic.rs): base64 of
/// <c>user:pass</c> split at the first ':', UTF-8, each part at most 255 bytes; and the challenge a
/// 407/401 carries. Pure: bytes in, values out.
/// </summary>
public static class BasicAuth
{
    /// <summary>g3's limit on each of the name and the password.</summary>
    public const int MaxPartBytes = 255;

    /// <summary>The most a valid value decodes to: both parts at their limit and the colon.</summary>
    public const int MaxDecodedBytes = 2 * MaxPartBytes + 1;

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static BasicAuthParse TryParse(string headerValue, out BasicCredentials credentials)
    {
        credentials = default;
        Span<byte> raw = stackalloc byte[MaxDecodedBytes];
        try
        {
            var parse = TryDecode(headerValue, raw, out var length, out var colon);
            if (parse != BasicAuthParse.Ok) return parse;
            credentials = new BasicCredentials(StrictUtf8.GetString(raw[..colon]), StrictUtf8.GetString(raw[(colon + 1)..length]));
        }
        catch (DecoderFallbackException)
        {
            return BasicAuthParse.Invalid;
        }
        finally
        {
            raw.Clear();
        }
        return BasicAuthParse.Ok;
    }

    /// <summary>
    /// The value's <c>user:pass</c> bytes into <paramref name="raw"/> (at least <see cref="MaxDecodedBytes"/>),
    /// not yet checked as UTF-8: the name is <c>raw[..colon]</c>, the password <c>raw[(colon + 1)..length]</c>.
    /// The caller clears <paramref name="raw"/> when done, as it holds a password.
    /// </summary>
    public static BasicAuthParse TryDecode(ReadOnlySpan<char> headerValue, Span<byte> raw, out int length, out int colon)
    {
        length = colon = 0;
        var value = headerValue.Trim();
        var space = value.IndexOf(' ');
        if (space < 0 || !value[..space].Equals("Basic", StringComparison.OrdinalIgnoreCase)) return BasicAuthParse.NotBasic;
        var encoded = value[(space + 1)..].Trim(); // g3 allows more space than the spec
        // a value that does not fit would break a part's limit anyway
        if (!Convert.TryFromBase64Chars(encoded, raw[..Math.Min(raw.Length, MaxDecodedBytes)], out length)) return BasicAuthParse.Invalid;
        colon = raw[..length].IndexOf((byte)':');
        if (colon < 0 || colon > MaxPartBytes || length - colon - 1 > MaxPartBytes) return BasicAuthParse.Invalid;
        return BasicAuthParse.Ok;
    }

    /// <summary>The <c>Proxy-Authenticate</c> / <c>WWW-Authenticate</c> value for <paramref name="realm"/> (quoted-string escaped).</summary>
    public static string Challenge(string realm) =>
        $"Basic realm=\"{realm.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    /// <summary>The header value a client sends (tests, and proxy escapers that log in upstream).</summary>
    public static string Encode(string username, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));
}
