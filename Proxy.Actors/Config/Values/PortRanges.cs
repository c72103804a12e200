using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's "ports" value: <c>80</c>, <c>"100-200"</c>, <c>"80,443,8000-8100"</c>, or a list of those.</summary>
public static class PortRanges
{
    public static IReadOnlyList<(int From, int To)> Parse(string text)
    {
        var result = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            var from = ParsePort(dash < 0 ? part : part[..dash]);
            var to = dash < 0 ? from : ParsePort(part[(dash + 1)..]);
            if (from > to) throw new FormatException($"invalid port range '{part}'");
            result.Add((from, to));
        }
        return result.Count > 0 ? result : throw new FormatException("empty port list");
    }

    private static int ParsePort(string s) =>
        int.TryParse(s.Trim(), out var p) && p is >= 0 and <= 65535 ? p : throw new FormatException($"invalid port '{s}'");

    internal static IReadOnlyList<(int From, int To)> FromYaml(YamlNode node)
    {
        var result = new List<(int, int)>();
        foreach (var item in YamlValue.List(node))
        {
            if (YamlValue.IsInteger(item))
            {
                var p = YamlValue.Int32(item, 0, 65535);
                result.Add((p, p));
                continue;
            }
            try { result.AddRange(Parse(YamlValue.String(item, "a port or port range"))); }
            catch (FormatException e) { throw new ConfigValueException(e.Message, item); }
        }
        return result;
    }
}
