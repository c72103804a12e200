using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Proxy.Actors.Config.Loading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Escapers.Float;

/// <summary>The value readers the float escapers' publish formats share; a bad value is a FormatException naming the key.</summary>
internal static class FloatJson
{
    public static string Text(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new FormatException($"'{p.Name}' must be a string");

    public static IPAddress Ip(JsonElement v, string key, AddressFamily? family)
    {
        if (v.ValueKind != JsonValueKind.String || !IPAddress.TryParse(v.GetString(), out var ip))
            throw new FormatException($"'{key}' must be an IP address string, not {v}");
        if (family is { } f && ip.AddressFamily != f)
            throw new FormatException($"{ip} is not an {(f == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        return ip;
    }

    public static DateTimeOffset Expire(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return t;
        throw new FormatException($"'expire' must be an RFC 3339 datetime, not {v}");
    }

    /// <summary>
    /// A value with a YAML form the config already reads (speed limits, IP maps): JSON is read as YAML,
    /// so the peer key takes the same forms as the escaper key of the same name.
    /// </summary>
    public static T AsYaml<T>(JsonProperty p, Func<YamlNode, T> parse)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(p.Value.GetRawText()));
            return parse(yaml.Documents[0].RootNode);
        }
        catch (Exception e) when (e is ConfigValueException or NotSupportedYetException or YamlException)
        {
            throw new FormatException($"'{p.Name}': {e.Message}");
        }
    }

    /// <summary>One item or an array of them.</summary>
    public static IReadOnlyList<T> OneOrMany<T>(JsonElement value, Func<JsonElement, T> item) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(item).ToList() : [item(value)];
}
