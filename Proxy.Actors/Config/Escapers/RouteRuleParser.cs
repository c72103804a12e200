using System.Net;
using System.Text.RegularExpressions;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// g3's route rule lists: a sequence of <c>{next, &lt;values&gt;}</c> maps (each values key with its
/// singular alias), or a map from next escaper name to its values. A value set for two different
/// next escapers is refused, as g3's docs require.
/// </summary>
internal static class RouteRuleParser
{
    public static IReadOnlyList<RouteRule<T>> Parse<T>(YamlNode node, string valuesKey, Func<YamlNode, T> value) where T : notnull
    {
        var rules = new List<RouteRule<T>>();
        if (node is YamlMappingNode byName)
        {
            foreach (var (next, _, values) in YamlValue.Entries(byName))
                rules.AddRange(YamlValue.List(values).Select(v => new RouteRule<T>(next, value(v))));
        }
        else
        {
            foreach (var item in YamlValue.List(node))
            {
                var map = YamlValue.Map(item, $"a map with 'next' and '{valuesKey}'");
                string? next = null;
                var values = new List<T>();
                foreach (var (key, k, v) in YamlValue.Entries(map))
                {
                    if (key == "next") next = YamlValue.String(v, "an escaper name");
                    else if (key == valuesKey || key == Singular(valuesKey)) values.AddRange(YamlValue.List(v).Select(value));
                    else throw YamlValue.UnknownKey(key, k);
                }
                if (next is null) throw new ConfigValueException("missing 'next'", item);
                rules.AddRange(values.Select(v => new RouteRule<T>(next, v)));
            }
        }
        var owner = new Dictionary<string, string>();
        foreach (var r in rules)
        {
            var id = r.Value.ToString()!;
            if (owner.TryGetValue(id, out var other) && other != r.Next)
                throw new ConfigValueException($"'{id}' is set for both '{other}' and '{r.Next}'", node);
            owner[id] = r.Next;
        }
        return rules;
    }

    private static string Singular(string key) => key switch
    {
        "suffixes" => "suffix",
        "ips" => "ip",
        _ => key.TrimEnd('s'),
    };

    public static IPNetwork Network(YamlNode node)
    {
        var text = YamlValue.String(node, "an IP network");
        if (IPNetwork.TryParse(text, out var net)) return net;
        if (IPAddress.TryParse(text, out var ip)) return new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        throw new ConfigValueException($"invalid IP network '{text}'", node);
    }

    /// <summary>An exact_match host: an IP in canonical form, or a lower-cased domain.</summary>
    public static string Host(YamlNode node)
    {
        var text = YamlValue.String(node, "a host").Trim().TrimEnd('.').ToLowerInvariant();
        return IPAddress.TryParse(text.Trim('[', ']'), out var ip) ? ip.ToString() : text;
    }

    public static string Domain(YamlNode node) => YamlValue.String(node, "a domain").Trim().Trim('.').ToLowerInvariant();

    public static RouteRegex Regex(YamlNode node)
    {
        string? parent = null;
        YamlNode regexNode = node;
        if (node is YamlMappingNode map)
        {
            YamlNode? found = null;
            foreach (var (key, k, v) in YamlValue.Entries(map))
            {
                if (key == "parent") parent = Domain(v);
                else if (key == "regex") found = v;
                else throw YamlValue.UnknownKey(key, k);
            }
            regexNode = found ?? throw new ConfigValueException("missing 'regex'", node);
        }
        var pattern = YamlValue.String(regexNode, "a regex");
        try
        {
            return new RouteRegex(parent, new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
        }
        catch (ArgumentException e)
        {
            throw new ConfigValueException($"invalid regex '{pattern}': {e.Message}", regexNode);
        }
    }
}
