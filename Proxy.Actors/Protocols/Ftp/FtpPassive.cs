using System.Globalization;
using System.Net;

namespace Proxy.Actors.Protocols.Ftp;

/// <summary>The data-port answers of passive mode: 227 (PASV, RFC 959) and 229 (EPSV, RFC 2428).</summary>
internal static class FtpPassive
{
    /// <summary><c>227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)</c>; the numbers may appear without parentheses.</summary>
    public static IPEndPoint? Parse227(string text)
    {
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i])) { start = i; break; }
        }
        if (start < 0) return null;
        var end = start;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == ',')) end++;
        var parts = text[start..end].Split(',');
        if (parts.Length != 6) return null;
        var n = new int[6];
        for (var i = 0; i < 6; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out n[i]) || n[i] > 255) return null;
        var port = n[4] * 256 + n[5];
        if (port == 0) return null;
        return new IPEndPoint(new IPAddress([(byte)n[0], (byte)n[1], (byte)n[2], (byte)n[3]]), port);
    }

    /// <summary><c>229 Entering Extended Passive Mode (|||port|)</c>: the delimiter is the first character inside the parentheses.</summary>
    public static int? Parse229(string text)
    {
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open + 5) return null;
        var inner = text[(open + 1)..close];
        var d = inner[0];
        var fields = inner.Split(d);
        // "|||port|" splits into "", "", "", "port", ""
        if (fields.Length != 5 || fields[3].Length == 0) return null;
        return int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;
    }
}
