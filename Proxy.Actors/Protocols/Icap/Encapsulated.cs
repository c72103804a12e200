using System.Globalization;

namespace Proxy.Actors.Protocols.Icap;

/// <summary>What an ICAP response carries (RFC 3507 section 4.4.1): the HTTP heads' byte lengths and whether a body follows.</summary>
public sealed record Encapsulated(int ReqHdrLength, int ResHdrLength, bool HasBody)
{
    public static readonly Encapsulated None = new(0, 0, false);

    /// <summary>Bytes of encapsulated heads before the body.</summary>
    public int HeadsLength => ReqHdrLength + ResHdrLength;

    /// <summary>
    /// Parses <c>req-hdr=0, res-hdr=123, res-body=456</c>. Offsets must start at 0 and grow; the
    /// last entry is the body (<c>req-body</c>, <c>res-body</c>, <c>opt-body</c>) or <c>null-body</c>.
    /// </summary>
    public static Encapsulated? Parse(string? value)
    {
        if (value is null) return None;
        var parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return null;
        var names = new string[parts.Length];
        var offsets = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq <= 0 || !int.TryParse(parts[i].AsSpan(eq + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out offsets[i])) return null;
            names[i] = parts[i][..eq].Trim().ToLowerInvariant();
            if (i == 0 ? offsets[0] != 0 : offsets[i] < offsets[i - 1]) return null;
        }
        int req = 0, res = 0;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var length = offsets[i + 1] - offsets[i];
            switch (names[i])
            {
                case "req-hdr": req = length; break;
                case "res-hdr": res = length; break;
                default: return null;
            }
        }
        return names[^1] switch
        {
            "null-body" => new Encapsulated(req, res, false),
            "req-body" or "res-body" or "opt-body" => new Encapsulated(req, res, true),
            _ => null,
        };
    }
}
