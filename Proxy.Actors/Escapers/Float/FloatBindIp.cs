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
    public static IReadOnlyList<FloatBindIp> ParseList(JsonElement value, AddressFamily family) =>
        FloatJson.OneOrMany(value, v => Parse(v, family));

    /// <summary>One bind IP; <paramref name="family"/> null takes either (a task's egress path JSON value).</summary>
    public static FloatBindIp Parse(JsonElement v, AddressFamily? family)
    {
        if (v.ValueKind == JsonValueKind.String) return new FloatBindIp(FloatJson.Ip(v, "ip", family));
        if (v.ValueKind != JsonValueKind.Object) throw new FormatException($"a bind ip must be an IP string or a map, not {v.ValueKind}");
        IPAddress? ip = null;
        var bind = new FloatBindIp(IPAddress.None);
        foreach (var p in v.EnumerateObject())
        {
            bind = p.Name switch
            {
                "ip" => bind with { Ip = ip = FloatJson.Ip(p.Value, "ip", family) },
                "id" => bind with { Id = FloatJson.Text(p) },
                "isp" => bind with { Isp = FloatJson.Text(p) },
                "eip" => bind with { Eip = FloatJson.Ip(p.Value, "eip", null) },
                "area" => bind with { Area = FloatJson.Text(p) },
                "expire" => bind with { Expire = FloatJson.Expire(p.Value) },
                _ => throw new FormatException($"unknown bind ip key '{p.Name}'"),
            };
        }
        return ip is null ? throw new FormatException("a bind ip map needs 'ip'") : bind;
    }
}
