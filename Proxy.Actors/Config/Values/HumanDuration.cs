using System.Globalization;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's "humanize duration": an int or float is seconds; a string is either a bare number of seconds or
/// a sum of number+unit parts such as <c>200ms</c>, <c>5min</c> or <c>1h 30m 71s</c> (humanize_rs units).
/// </summary>
public static class HumanDuration
{
    private static readonly Dictionary<string, double> UnitMillis = new(StringComparer.Ordinal)
    {
        ["ns"] = 1e-6, ["nsec"] = 1e-6,
        ["us"] = 1e-3, ["µs"] = 1e-3, ["usec"] = 1e-3,
        ["ms"] = 1, ["msec"] = 1, ["millis"] = 1,
        ["s"] = 1000, ["sec"] = 1000, ["secs"] = 1000, ["second"] = 1000, ["seconds"] = 1000,
        ["m"] = 60_000, ["min"] = 60_000, ["mins"] = 60_000, ["minute"] = 60_000, ["minutes"] = 60_000,
        ["h"] = 3_600_000, ["hr"] = 3_600_000, ["hrs"] = 3_600_000, ["hour"] = 3_600_000, ["hours"] = 3_600_000,
        ["d"] = 86_400_000, ["day"] = 86_400_000, ["days"] = 86_400_000,
        ["w"] = 604_800_000, ["week"] = 604_800_000, ["weeks"] = 604_800_000,
    };

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"invalid duration '{text}'");

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length == 0) return false;
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var secs))
        {
            value = TimeSpan.FromSeconds(secs);
            return true;
        }
        double totalMs = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length) break;
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (!double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                return false;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            start = i;
            while (i < text.Length && (char.IsLetter(text[i]) || text[i] == 'µ')) i++;
            if (!UnitMillis.TryGetValue(text[start..i], out var unit)) return false;
            totalMs += n * unit;
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    internal static TimeSpan FromYaml(YamlNode node)
    {
        if (YamlValue.IsInteger(node)) return TimeSpan.FromSeconds(YamlValue.Integer(node, 0));
        if (YamlValue.IsFloat(node))
        {
            var f = YamlValue.Float(node);
            return f >= 0 ? TimeSpan.FromSeconds(f) : throw new ConfigValueException("a duration cannot be negative", node);
        }
        var text = YamlValue.String(node, "a duration (seconds, or e.g. '200ms', '1h 30m')");
        return TryParse(text, out var v) ? v : throw new ConfigValueException($"invalid duration '{text}'", node);
    }
}
