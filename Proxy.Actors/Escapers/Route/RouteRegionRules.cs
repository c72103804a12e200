using System.Net;
using Proxy.Actors.Cluster;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Handles;
using YamlDotNet.RepresentationModel;
using ClusterRule = Proxy.Actors.Cluster.RouteRule;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// route_region's compiled rules: the static ones merged with a snapshot of the replicated ones
/// (the replicated rule wins on the same kind:pattern), compiled into route_upstream's matcher with
/// region names where route_upstream has escaper names. Built once per snapshot, never per connection.
/// </summary>
internal sealed class RouteRegionRules
{
    private readonly RouteUpstreamEscaper _matcher;

    private RouteRegionRules(IReadOnlyList<ClusterRule> source, RouteUpstreamEscaper matcher, int count)
    {
        Source = source;
        _matcher = matcher;
        Count = count;
    }

    /// <summary>The replicated snapshot these were compiled from (compared by reference).</summary>
    public IReadOnlyList<ClusterRule> Source { get; }
    public int Count { get; }

    /// <summary>The region of the target, or null when no rule matches.</summary>
    public string? RegionOf(EscapeRequest request) => _matcher.Select(request) is { Length: > 0 } region ? region : null;

    public static RouteRegionRules Compile(string name, IReadOnlyList<ClusterRule> statics, IReadOnlyList<ClusterRule> replicated)
    {
        var merged = new Dictionary<string, ClusterRule>(StringComparer.Ordinal);
        foreach (var r in statics) merged[r.Key] = r;
        foreach (var r in replicated) merged[r.Key] = r;
        var exact = new List<RouteRule<string>>();
        var child = new List<RouteRule<string>>();
        var regex = new List<RouteRule<RouteRegex>>();
        var subnet = new List<RouteRule<IPNetwork>>();
        foreach (var r in merged.Values.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            // A replicated pattern route_upstream would refuse is skipped: one bad `pbm route` must not stop routing.
            if (!TryParse(r, out var value)) continue;
            switch (value)
            {
                case IPNetwork net: subnet.Add(new(r.Region, net)); break;
                case RouteRegex rx: regex.Add(new(r.Region, rx)); break;
                case string s when r.Kind == RouteRuleKind.Exact: exact.Add(new(r.Region, s)); break;
                case string s: child.Add(new(r.Region, s)); break;
            }
        }
        var config = new RouteUpstreamEscaperConfig
        {
            Name = name,
            Position = new global::Proxy.Actors.Config.ConfigPosition("", 0),
            Exact = exact,
            Child = child,
            Regex = regex,
            Subnet = subnet,
            DefaultNext = "",
        };
        var matcher = new RouteUpstreamEscaper(config, new HandleRegistry<IEscaper>(n => new DummyDenyEscaper(n)));
        return new RouteRegionRules(replicated, matcher, exact.Count + child.Count + regex.Count + subnet.Count);
    }

    /// <summary>Reads a pattern with route_upstream's own value parsers; false for one they refuse.</summary>
    public static bool TryParse(ClusterRule rule, out object value)
    {
        var node = new YamlScalarNode(rule.Pattern);
        try
        {
            value = rule.Kind switch
            {
                RouteRuleKind.Exact => RouteRuleParser.Host(node),
                RouteRuleKind.Child => RouteRuleParser.Domain(node),
                RouteRuleKind.Subnet => RouteRuleParser.Network(node),
                _ => RouteRuleParser.Regex(node),
            };
            return true;
        }
        catch (ConfigValueException)
        {
            value = "";
            return false;
        }
    }
}
