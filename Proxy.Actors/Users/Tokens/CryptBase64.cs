using System.Text;

namespace Proxy.Actors.Users.Tokens;

/// <summary>crypt(3)'s base64: alphabet <c>./0-9A-Za-z</c>, 24-bit groups written low 6 bits first.</summary>
internal static class CryptBase64
{
    public const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static void Append(StringBuilder sb, byte b2, byte b1, byte b0, int chars)
    {
        var w = (b2 << 16) | (b1 << 8) | b0;
        for (var i = 0; i < chars; i++)
        {
            sb.Append(Alphabet[w & 0x3f]);
            w >>= 6;
        }
    }

    public static bool IsValid(string s) => s.All(c => Alphabet.Contains(c));
}
