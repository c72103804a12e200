using Proxy.Actors.Cluster;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// <c>route_region</c>'s keys. Rule values are checked with route_upstream's own value parsers, so
/// a pattern route_upstream refuses is refused here too (and the escaper compiles it the same way).
/// </summary>
internal static class RouteRegionEscaperParser
{
    private static readonly KeyTable<EscaperConfig> Keys = new KeyTable<EscaperConfig>()
        .Skip("name|type")
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) })
        .On("local_next", (c, v, _) => R(c) with { LocalNext = YamlValue.String(v, "an escaper name") })
        .On("fallback_node", (c, v, _) => R(c) with { FallbackNode = YamlValue.String(v, "an escaper name") })
        .On("tls_client", (c, v, s, _, k) => R(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("proxy_username|proxy_user", (c, v, _) => R(c) with { ProxyUsername = YamlValue.String(v, "a username") })
        .On("proxy_password|proxy_passwd", (c, v, _) => R(c) with { ProxyPassword = YamlValue.String(v, "a password") })
        .On("peer_negotiation_timeout", (c, v, _) => R(c) with { PeerNegotiationTimeout = HumanDuration.FromYaml(v) })
        .On("rules", (c, v, _) => R(c) with { Rules = Rules(v) });

    public static EscaperConfig Parse(string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        var c = R(Keys.Apply(new RouteRegionEscaperConfig { Name = name, Position = position }, map, scope));
        if (c.LocalNext.Length == 0) scope.Error(map, "local_next", "missing required key 'local_next'");
        if (c.FallbackNode.Length == 0) scope.Error(map, "fallback_node", "missing required key 'fallback_node'");
        return c;
    }

    /// <summary>The pattern's kind from its g3 key (route_upstream's names).</summary>
    public static RouteRuleKind? Kind(string key) => key switch
    {
        "exact_match" => RouteRuleKind.Exact,
        "child_match" => RouteRuleKind.Child,
        "regex_match" => RouteRuleKind.Regex,
        "subnet_match" => RouteRuleKind.Subnet,
        _ => null,
    };

    private static List<RouteRule> Rules(YamlNode node)
    {
        var rules = new List<RouteRule>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in YamlValue.List(node))
        {
            var map = YamlValue.Map(item, "a map with 'region' and *_match lists");
            string? region = null;
            var patterns = new List<(RouteRuleKind Kind, string Pattern)>();
            foreach (var (key, k, v) in YamlValue.Entries(map))
            {
                if (key == "region") region = YamlValue.String(v, "a region name");
                else if (Kind(key) is { } kind)
                    foreach (var p in YamlValue.List(v)) patterns.Add((kind, Normalize(kind, p)));
                else throw YamlValue.UnknownKey(key, k);
            }
            if (string.IsNullOrEmpty(region)) throw new ConfigValueException("missing 'region'", item);
            foreach (var (kind, pattern) in patterns)
            {
                var rule = new RouteRule(kind, pattern, region);
                if (owner.TryGetValue(rule.Key, out var other) && other != region)
                    throw new ConfigValueException($"'{rule.Key}' is set for both regions '{other}' and '{region}'", item);
                owner[rule.Key] = region;
                rules.Add(rule);
            }
        }
        return rules;
    }

    /// <summary>A pattern as route_upstream would read it (throws on one it refuses).</summary>
    private static string Normalize(RouteRuleKind kind, YamlNode node) => kind switch
    {
        RouteRuleKind.Exact => RouteRuleParser.Host(node),
        RouteRuleKind.Child => RouteRuleParser.Domain(node),
        RouteRuleKind.Subnet => RouteRuleParser.Network(node).ToString(),
        _ => Regex(node),
    };

    /// <summary>A plain pattern (a replicated rule is a string, so route_upstream's <c>{parent, regex}</c> form has no place here).</summary>
    private static string Regex(YamlNode node)
    {
        var text = YamlValue.String(node, "a regex");
        RouteRuleParser.Regex(node);
        return text;
    }

    private static RouteRegionEscaperConfig R(EscaperConfig c) => (RouteRegionEscaperConfig)c;
}
