using System.Buffers;
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
    private const int MaxPartBytes = 255;
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static BasicAuthParse TryParse(string headerValue, out BasicCredentials credentials)
    {
        credentials = default;
        var value = headerValue.AsSpan().Trim();
        var space = value.IndexOf(' ');
        if (space < 0 || !value[..space].Equals("Basic", StringComparison.OrdinalIgnoreCase)) return BasicAuthParse.NotBasic;
        var encoded = value[(space + 1)..].Trim(); // g3 allows more space than the spec
        var buffer = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            if (!Convert.TryFromBase64Chars(encoded, buffer, out var n)) return BasicAuthParse.Invalid;
            var bytes = buffer.AsSpan(0, n);
            var colon = bytes.IndexOf((byte)':');
            if (colon < 0 || colon > MaxPartBytes || n - colon - 1 > MaxPartBytes) return BasicAuthParse.Invalid;
            try
            {
                credentials = new BasicCredentials(StrictUtf8.GetString(bytes[..colon]), StrictUtf8.GetString(bytes[(colon + 1)..]));
            }
            catch (DecoderFallbackException)
            {
                return BasicAuthParse.Invalid;
            }
            return BasicAuthParse.Ok;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>The <c>Proxy-Authenticate</c> / <c>WWW-Authenticate</c> value for <paramref name="realm"/> (quoted-string escaped).</summary>
    public static string Challenge(string realm) =>
        $"Basic realm=\"{realm.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    /// <summary>The header value a client sends (tests, and proxy escapers that log in upstream).</summary>
    public static string Encode(string username, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));
}
