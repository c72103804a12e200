using System.Buffers;
using System.Text;

namespace Proxy.Actors.Protocols.Ftp;

/// <summary>One server reply on the control connection: its code and its text lines (without CRLF).</summary>
internal sealed record FtpReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>The first line's text after the code, as the single-line replies (227, 229, 213) carry their data there.</summary>
    public string Text => Lines.Count == 0 ? "" : Lines[0].Length > 4 ? Lines[0][4..] : "";

    public bool IsPreliminary => Code is >= 100 and < 200;
}

/// <summary>
/// Reads FTP replies (RFC 959 section 4.2): <c>ddd text</c>, or a multi-line reply from
/// <c>ddd-text</c> to a line starting with the same <c>ddd </c>. Bounded by g3's control settings:
/// <c>max_line_len</c> per line and <c>max_multi_lines</c> per reply.
/// </summary>
internal static class FtpReplyParser
{
    public static ParseResult<FtpReply> Parse(in ReadOnlySequence<byte> buffer, int maxLineLength, int maxLines)
    {
        var reader = new SequenceReader<byte>(buffer);
        var lines = new List<string>();
        var code = -1;
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> raw, (byte)'\n'))
            {
                return reader.Remaining > maxLineLength
                    ? ParseResult<FtpReply>.TooLarge("FTP reply line too long")
                    : ParseResult<FtpReply>.NeedMore;
            }
            if (raw.Length > maxLineLength) return ParseResult<FtpReply>.TooLarge("FTP reply line too long");
            var line = Encoding.UTF8.GetString(raw).TrimEnd('\r');
            lines.Add(line);
            if (code < 0)
            {
                if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), System.Globalization.NumberStyles.None, null, out code) || code < 100)
                    return ParseResult<FtpReply>.Invalid("not an FTP reply: " + Clip(line));
                if (line.Length == 3 || line[3] == ' ') return ParseResult<FtpReply>.Done(new FtpReply(code, lines), reader.Consumed);
                if (line[3] != '-') return ParseResult<FtpReply>.Invalid("not an FTP reply: " + Clip(line));
            }
            else if (line.Length >= 4 && line[3] == ' ' && line.AsSpan(0, 3).SequenceEqual(lines[0].AsSpan(0, 3)))
            {
                return ParseResult<FtpReply>.Done(new FtpReply(code, lines), reader.Consumed);
            }
            if (lines.Count >= maxLines) return ParseResult<FtpReply>.TooLarge("FTP reply has too many lines");
        }
    }

    private static string Clip(string s) => s.Length > 64 ? s[..64] : s;
}
