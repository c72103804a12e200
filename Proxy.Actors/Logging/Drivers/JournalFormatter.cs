using System.Buffers.Binary;
using System.Text;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// systemd-journald's native protocol as g3's journal driver writes it: PRIORITY (5, notice),
/// SYSLOG_IDENTIFIER, every field with its key upper-cased and non-alphanumerics made '_'
/// (keys not starting with a letter are dropped), then MESSAGE. A value holding a newline is
/// sent in the binary form: the key, a newline, a 64-bit little-endian length, the value, a newline.
/// </summary>
internal static class JournalFormatter
{
    public static byte[] Format(LogRecord record, string ident)
    {
        using var buf = new MemoryStream(1024);
        Line(buf, "PRIORITY", "5");
        Line(buf, "SYSLOG_IDENTIFIER", ident);
        foreach (var f in record.Fields)
            if (Key(f.Key) is { } key) Line(buf, key, f.Value);
        Line(buf, "MESSAGE", record.Message);
        return buf.ToArray();
    }

    private static void Line(MemoryStream buf, string key, string value)
    {
        buf.Write(Encoding.ASCII.GetBytes(key));
        var bytes = Encoding.UTF8.GetBytes(value);
        if (Array.IndexOf(bytes, (byte)'\n') < 0)
        {
            buf.WriteByte((byte)'=');
            buf.Write(bytes);
        }
        else
        {
            buf.WriteByte((byte)'\n');
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)bytes.Length);
            buf.Write(len);
            buf.Write(bytes);
        }
        buf.WriteByte((byte)'\n');
    }

    internal static string? Key(string key)
    {
        if (key.Length is 0 or > 64 || !char.IsAsciiLetter(key[0])) return null;
        var sb = new StringBuilder(key.Length);
        foreach (var c in key)
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        return sb.ToString();
    }
}
