using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's resolve_strategy: a bare query string (<c>IPv4First</c>) or <c>{query, pick}</c>.</summary>
internal static class ResolveStrategyParser
{
    public static ResolveStrategy FromYaml(YamlNode node)
    {
        if (node is not YamlMappingNode map) return new ResolveStrategy(Query(node));
        var result = ResolveStrategy.Default;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            result = key switch
            {
                "query" => result with { Query = Query(value) },
                "pick" => result with { Pick = Pick(value) },
                _ => throw YamlValue.UnknownKey(key, keyNode),
            };
        }
        return result;
    }

    private static ResolveQuery Query(YamlNode node) =>
        YamlKey.NormalizeTypeName(YamlValue.String(node)) switch
        {
            "ipv4first" => ResolveQuery.Ipv4First,
            "ipv6first" => ResolveQuery.Ipv6First,
            "ipv4only" => ResolveQuery.Ipv4Only,
            "ipv6only" => ResolveQuery.Ipv6Only,
            _ => throw YamlValue.Expected("one of Ipv4First, Ipv6First, Ipv4Only, Ipv6Only", node),
        };

    private static ResolvePick Pick(YamlNode node) =>
        YamlKey.NormalizeTypeName(YamlValue.String(node)) switch
        {
            "random" => ResolvePick.Random,
            "first" => ResolvePick.First,
            _ => throw YamlValue.Expected("Random or First", node),
        };
}
