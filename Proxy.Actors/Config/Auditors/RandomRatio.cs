using System.Globalization;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Auditors;

/// <summary>
/// g3's "random ratio" (g3-yaml value/random.rs): a float in [0, 1], the integers 0 and 1, a boolean,
/// <c>"n/m"</c>, <c>"n%"</c>, or a float as a string.
/// </summary>
internal static class RandomRatio
{
    public static double FromYaml(YamlNode node)
    {
        if (YamlValue.IsInteger(node))
        {
            var i = YamlValue.Integer(node);
            return i is 0 or 1 ? i : throw new ConfigValueException("out of range integer value, only 0 & 1 is allowed", node);
        }
        if (YamlValue.IsFloat(node)) return InRange(YamlValue.Float(node), node);
        var text = YamlValue.String(node, "a ratio (0.25, \"1/4\", \"25%\")").Trim();
        if (YamlValue.IsPlain(node) && text.ToLowerInvariant() is "true" or "false") return YamlValue.Bool(node) ? 1 : 0;
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            if (!uint.TryParse(text[..slash].Trim(), out var n) || !uint.TryParse(text[(slash + 1)..].Trim(), out var d) || d == 0)
                throw new ConfigValueException($"invalid fraction ratio '{text}'", node);
            return InRange((double)n / d, node);
        }
        if (text.EndsWith('%'))
        {
            return uint.TryParse(text[..^1].Trim(), out var p)
                ? InRange(p / 100.0, node)
                : throw new ConfigValueException($"invalid percentage ratio '{text}'", node);
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f)
            ? InRange(f, node)
            : throw new ConfigValueException($"invalid ratio '{text}'", node);
    }

    private static double InRange(double v, YamlNode node) =>
        v is >= 0 and <= 1 ? v : throw new ConfigValueException($"ratio {v.ToString(CultureInfo.InvariantCulture)} is out of range [0, 1]", node);
}
