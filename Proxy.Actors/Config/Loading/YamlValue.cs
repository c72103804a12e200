using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>
/// Typed reads of YAML nodes with g3's (yaml-rust, YAML 1.2 core) typing: only plain scalars are
/// integers, floats, booleans or null; a quoted scalar is always a string.
/// </summary>
internal static class YamlValue
{
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s
        && (string.IsNullOrEmpty(s.Value) || s.Value is "~" or "null" or "Null" or "NULL");

    public static bool IsPlain(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any };

    public static bool IsInteger(YamlNode node) =>
        IsPlain(node) && long.TryParse(((YamlScalarNode)node).Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    public static bool IsFloat(YamlNode node) =>
        IsPlain(node) && double.TryParse(((YamlScalarNode)node).Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a map",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported node",
    };

    public static ConfigValueException Expected(string what, YamlNode node) =>
        new($"expected {what}, got {Describe(node)}", node);

    /// <summary>Any scalar as text (numbers included, as g3's string readers accept them).</summary>
    public static string String(YamlNode node, string what = "a string") =>
        node is YamlScalarNode s && !IsNull(node) ? s.Value ?? "" : throw Expected(what, node);

    public static long Integer(YamlNode node, long min = long.MinValue, long max = long.MaxValue, string what = "an integer")
    {
        if (!IsInteger(node)) throw Expected(what, node);
        var v = long.Parse(((YamlScalarNode)node).Value!, CultureInfo.InvariantCulture);
        if (v < min || v > max) throw new ConfigValueException($"{v} is out of range [{min}, {max}]", node);
        return v;
    }

    public static int Int32(YamlNode node, int min = 0, int max = int.MaxValue) => (int)Integer(node, min, max);

    public static double Float(YamlNode node)
    {
        if (!IsFloat(node)) throw Expected("a number", node);
        return double.Parse(((YamlScalarNode)node).Value!, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>g3's as_bool: YAML booleans, on/off/yes/no/1/0 strings, and integers (non-zero is true).</summary>
    public static bool Bool(YamlNode node)
    {
        if (node is YamlScalarNode s && !IsNull(node))
        {
            switch (s.Value!.ToLowerInvariant())
            {
                case "true" or "on" or "yes" or "1": return true;
                case "false" or "off" or "no" or "0": return false;
            }
            if (IsInteger(node)) return long.Parse(s.Value, CultureInfo.InvariantCulture) != 0;
        }
        throw Expected("a boolean", node);
    }

    public static YamlMappingNode Map(YamlNode node, string what = "a map") =>
        node as YamlMappingNode ?? (IsNull(node) ? new YamlMappingNode() : throw Expected(what, node));

    /// <summary>g3's "list" value: a single value or a sequence of them.</summary>
    public static IReadOnlyList<YamlNode> List(YamlNode node) => node switch
    {
        YamlSequenceNode seq => seq.Children.ToList(),
        _ when IsNull(node) => [],
        _ => [node],
    };

    /// <summary>Map entries with normalised keys; a non-scalar key is refused.</summary>
    public static IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode map)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } raw }) throw new ConfigValueException("map keys must be strings", k);
            yield return (YamlKey.Normalize(raw), k, v);
        }
    }

    public static ConfigValueException UnknownKey(string key, YamlNode at) => new($"unknown key '{key}'", at);
}
