using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Proxy.Actors.Escapers.Float;

/// <summary>g3's dynamic bind IP: the address, and optionally id, isp, eip, area and an expiry.</summary>
internal sealed record FloatBindIp(IPAddress Ip, string? Id = null, string? Isp = null, IPAddress? Eip = null, string? Area = null, DateTimeOffset? Expire = null)
{
    public bool LiveAt(DateTimeOffset now) => Expire is not { } e || e > now;

    public JsonNode ToJson()
    {
        var o = new JsonObject { ["ip"] = Ip.ToString() };
        if (Id is not null) o["id"] = Id;
        if (Isp is not null) o["isp"] = Isp;
        if (Eip is not null) o["eip"] = Eip.ToString();
        if (Area is not null) o["area"] = Area;
        if (Expire is { } e) o["expire"] = e.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        return o;
    }

    /// <summary>One bind IP or a list of them (a plain IP string, or a map); the family must match the publish key.</summary>
    public static IReadOnlyList<FloatBindIp> ParseList(JsonElement value, AddressFamily family)
    {
        if (value.ValueKind == JsonValueKind.Array) return value.EnumerateArray().Select(v => Parse(v, family)).ToList();
        return [Parse(value, family)];
    }

    private static FloatBindIp Parse(JsonElement v, AddressFamily family)
    {
        if (v.ValueKind == JsonValueKind.String) return new FloatBindIp(ParseIp(v, "ip", family));
        if (v.ValueKind != JsonValueKind.Object) throw new FormatException($"a bind ip must be an IP string or a map, not {v.ValueKind}");
        IPAddress? ip = null;
        var bind = new FloatBindIp(IPAddress.None);
        foreach (var p in v.EnumerateObject())
        {
            bind = p.Name switch
            {
                "ip" => bind with { Ip = ip = ParseIp(p.Value, "ip", family) },
                "id" => bind with { Id = Text(p) },
                "isp" => bind with { Isp = Text(p) },
                "eip" => bind with { Eip = ParseIp(p.Value, "eip", null) },
                "area" => bind with { Area = Text(p) },
                "expire" => bind with { Expire = ParseExpire(p.Value) },
                _ => throw new FormatException($"unknown bind ip key '{p.Name}'"),
            };
        }
        return ip is null ? throw new FormatException("a bind ip map needs 'ip'") : bind;
    }

    private static string Text(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new FormatException($"'{p.Name}' must be a string");

    private static IPAddress ParseIp(JsonElement v, string key, AddressFamily? family)
    {
        if (v.ValueKind != JsonValueKind.String || !IPAddress.TryParse(v.GetString(), out var ip))
            throw new FormatException($"'{key}' must be an IP address string, not {v}");
        if (family is { } f && ip.AddressFamily != f)
            throw new FormatException($"{ip} is not an {(f == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        return ip;
    }

    private static DateTimeOffset ParseExpire(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return t;
        throw new FormatException($"'expire' must be an RFC 3339 datetime, not {v}");
    }
}
