using System.Globalization;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's random ratio (lib/g3-yaml value/random.rs): a float 0..1, 0/1, a bool, <c>"n/d"</c> or <c>"n%"</c>.</summary>
internal static class RandomRatioParser
{
    public static double FromYaml(YamlNode node)
    {
        if (YamlValue.IsInteger(node)) return YamlValue.Integer(node, 0, 1);
        if (YamlValue.IsFloat(node)) return InRange(YamlValue.Float(node), node);
        var text = YamlValue.String(node, "a ratio (0..1, 'n/d', 'n%' or a bool)").Trim();
        if (YamlValue.IsPlain(node) && text.ToLowerInvariant() is "true" or "false") return YamlValue.Bool(node) ? 1 : 0;
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            if (uint.TryParse(text[..slash].Trim(), out var n) && uint.TryParse(text[(slash + 1)..].Trim(), out var d) && d > 0)
                return InRange((double)n / d, node);
        }
        else if (text.EndsWith('%'))
        {
            if (uint.TryParse(text[..^1].Trim(), out var p)) return InRange(p / 100.0, node);
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
        {
            return InRange(f, node);
        }
        throw new ConfigValueException($"invalid ratio '{text}'", node);
    }

    private static double InRange(double v, YamlNode node) =>
        v is >= 0 and <= 1 ? v : throw new ConfigValueException($"ratio {v} is out of range [0, 1]", node);
}
