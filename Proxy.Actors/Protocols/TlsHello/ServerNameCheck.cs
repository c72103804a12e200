namespace Proxy.Actors.Protocols.TlsHello;

/// <summary>Is an SNI host_name a sane DNS name (RFC 6066 3: ASCII, no trailing dot, no IP literal)?</summary>
internal static class ServerNameCheck
{
    public const int MaxLength = 253;

    /// <summary>Null when valid, else the reason.</summary>
    public static string? Check(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty) return "empty server name";
        if (name.Length > MaxLength) return $"server name of {name.Length} bytes exceeds {MaxLength}";
        var labelStart = 0;
        var lastLabelNumeric = true;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || name[i] == (byte)'.')
            {
                var label = name[labelStart..i];
                if (label.IsEmpty) return "server name has an empty label (or a trailing dot)";
                if (label.Length > 63) return "server name label longer than 63";
                if (label[0] == (byte)'-' || label[^1] == (byte)'-') return "server name label starts or ends with '-'";
                lastLabelNumeric = true;
                foreach (var b in label)
                    if (!char.IsAsciiDigit((char)b)) lastLabelNumeric = false;
                labelStart = i + 1;
                continue;
            }
            var c = (char)name[i];
            // '_' is not a host name character, but appears in real names (service records, CDN hosts).
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return $"server name has character 0x{name[i]:X2}";
        }
        // No TLD is all digits: this is an IPv4 literal, which RFC 6066 forbids in SNI.
        return lastLabelNumeric ? "server name is an IP literal" : null;
    }
}
