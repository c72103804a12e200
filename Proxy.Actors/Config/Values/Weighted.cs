using Proxy.Actors.Config.Loading;
using Proxy.Actors.Protocols.Http1;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>An item of a g3 selective vector: a value and its weight (default 1.0).</summary>
public sealed record Weighted<T>(T Value, double Weight = 1.0);

/// <summary>g3's weighted upstream addr and weighted name: a plain value, or <c>{addr|name, weight}</c>.</summary>
internal static class WeightedParser
{
    /// <summary>One or a list of weighted upstream addrs; <paramref name="defaultPort"/> fills an omitted port.</summary>
    public static IReadOnlyList<Weighted<UpstreamAddr>> UpstreamList(YamlNode node, int defaultPort) =>
        YamlValue.List(node).Select(n => Item(n, "addr", v => Upstream(v, defaultPort))).ToList();

    /// <summary>One or a list of weighted names (route_select next_nodes).</summary>
    public static IReadOnlyList<Weighted<string>> NameList(YamlNode node) =>
        YamlValue.List(node).Select(n => Item(n, "name", v => YamlValue.String(v, "a name"))).ToList();

    public static UpstreamAddr Upstream(YamlNode node, int defaultPort)
    {
        var text = YamlValue.String(node, "an upstream address (host[:port])");
        var addr = RequestTarget.ParseAuthority(text, defaultPort);
        if (addr is null || addr.Port == 0) throw new ConfigValueException($"invalid upstream address '{text}'", node);
        return addr;
    }

    private static Weighted<T> Item<T>(YamlNode node, string valueKey, Func<YamlNode, T> value)
    {
        if (node is not YamlMappingNode map) return new Weighted<T>(value(node));
        T? v = default;
        var found = false;
        var weight = 1.0;
        foreach (var (key, k, item) in YamlValue.Entries(map))
        {
            if (key == valueKey) { v = value(item); found = true; }
            else if (key == "weight")
            {
                weight = YamlValue.Float(item);
                if (weight < 0 || double.IsNaN(weight)) throw new ConfigValueException("weight must not be negative", item);
            }
            else throw YamlValue.UnknownKey(key, k);
        }
        if (!found) throw new ConfigValueException($"missing '{valueKey}'", node);
        return new Weighted<T>(v!, weight);
    }
}
