using System.Text;

namespace Proxy.Actors.Protocols.Imap;

/// <summary>
/// One IMAP line (RFC 9051 section 2.2) as the interception needs it: its tag and first word, and the
/// literal that follows it (<c>{n}</c>, or the non-synchronizing <c>{n+}</c> of RFC 7888), whose n
/// bytes are not lines and pass through uncounted as such.
/// </summary>
internal readonly record struct ImapLine(string Tag, string Word, long Literal)
{
    public static ImapLine Parse(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw).TrimEnd('\r', '\n');
        var parts = text.Split(' ', 3);
        var word = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
        return new ImapLine(parts[0], word, LiteralSize(text));
    }

    /// <summary>The size of a literal announced at the end of the line; -1 when there is none.</summary>
    public static long LiteralSize(string line)
    {
        if (!line.EndsWith('}')) return -1;
        var open = line.LastIndexOf('{');
        if (open < 0) return -1;
        var digits = line.AsSpan(open + 1, line.Length - open - 2);
        if (digits.EndsWith("+")) digits = digits[..^1];
        return long.TryParse(digits, System.Globalization.NumberStyles.None, null, out var n) ? n : -1;
    }

    /// <summary>The server's completion of a command: <c>tag OK|NO|BAD</c> (not <c>*</c> or <c>+</c>).</summary>
    public bool IsCompletion => Tag is not ("*" or "+" or "") && Word is "OK" or "NO" or "BAD";
}
