using System.Text;

namespace Proxy.Actors.Protocols.Smtp;

/// <summary>One SMTP command line (RFC 5321 section 4.1): the verb upper-cased and the rest as sent.</summary>
internal readonly record struct SmtpCommand(string Verb, string Argument)
{
    /// <summary>g3's command line bound (g3-smtp-proto Command::MAX_LINE_SIZE).</summary>
    public const int MaxLineSize = 4096;

    public static SmtpCommand Parse(ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line).TrimEnd('\r', '\n');
        var space = text.IndexOf(' ');
        return space < 0
            ? new SmtpCommand(text.ToUpperInvariant(), "")
            : new SmtpCommand(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
    }

    /// <summary>The path of <c>MAIL FROM:&lt;a@b&gt; ...</c> or <c>RCPT TO:&lt;c@d&gt; ...</c>, without its brackets and parameters.</summary>
    public string Path()
    {
        var colon = Argument.IndexOf(':');
        if (colon < 0) return "";
        var rest = Argument[(colon + 1)..].TrimStart();
        if (rest.StartsWith('<'))
        {
            var close = rest.IndexOf('>');
            return close < 0 ? rest[1..] : rest[1..close];
        }
        var space = rest.IndexOf(' ');
        return space < 0 ? rest : rest[..space];
    }

    /// <summary>The size of <c>BDAT size [LAST]</c>; null when it is not a number.</summary>
    public (long Size, bool Last)? ChunkSize()
    {
        var parts = Argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out var size)) return null;
        return (size, parts.Length > 1 && parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase));
    }
}
