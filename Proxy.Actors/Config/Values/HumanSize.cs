using System.Globalization;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's "humanize usize" (humanize_rs bytes): an integer, or a number with a unit where the SI forms
/// are decimal (<c>K</c> = <c>KB</c> = 1000) and the binary forms have an 'i' (<c>KiB</c> = 1024).
/// </summary>
public static class HumanSize
{
    private static readonly Dictionary<string, long> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = 1, ["b"] = 1,
        ["k"] = 1000, ["kb"] = 1000, ["ki"] = 1L << 10, ["kib"] = 1L << 10,
        ["m"] = 1000_000, ["mb"] = 1000_000, ["mi"] = 1L << 20, ["mib"] = 1L << 20,
        ["g"] = 1000_000_000, ["gb"] = 1000_000_000, ["gi"] = 1L << 30, ["gib"] = 1L << 30,
        ["t"] = 1000_000_000_000, ["tb"] = 1000_000_000_000, ["ti"] = 1L << 40, ["tib"] = 1L << 40,
        ["p"] = 1000_000_000_000_000, ["pb"] = 1000_000_000_000_000, ["pi"] = 1L << 50, ["pib"] = 1L << 50,
    };

    public static long Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"invalid size '{text}'");

    public static bool TryParse(string text, out long value)
    {
        value = 0;
        text = text.Trim();
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
        if (i == 0 || !double.TryParse(text.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            return false;
        if (!Units.TryGetValue(text[i..].Trim(), out var unit)) return false;
        var bytes = n * unit;
        if (bytes > long.MaxValue) return false;
        value = (long)bytes;
        return true;
    }

    internal static long FromYaml(YamlNode node)
    {
        if (YamlValue.IsInteger(node)) return YamlValue.Integer(node, 0);
        var text = YamlValue.String(node, "a size (bytes, or e.g. '64KiB', '10M')");
        return TryParse(text, out var v) ? v : throw new ConfigValueException($"invalid size '{text}'", node);
    }

    internal static int FromYamlInt32(YamlNode node)
    {
        var v = FromYaml(node);
        return v <= int.MaxValue ? (int)v : throw new ConfigValueException($"size {v} is too large", node);
    }
}
