namespace Proxy.Actors.Cluster;

/// <summary>How a destination is matched, with g3's route escapers' names.</summary>
public enum RouteRuleKind
{
    Exact,
    Child,
    Regex,
    Subnet,
}

/// <summary>One rule: destinations matching <see cref="Pattern"/> go to <see cref="Region"/>.</summary>
public sealed record RouteRule(RouteRuleKind Kind, string Pattern, string Region)
{
    /// <summary>The replicated map's key: one region per (kind, pattern), the last write wins.</summary>
    public string Key => Kind.ToString().ToLowerInvariant() + ":" + Pattern;

    public static RouteRule? FromKey(string key, string region)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !Enum.TryParse<RouteRuleKind>(key[..colon], ignoreCase: true, out var kind)) return null;
        return new RouteRule(kind, key[(colon + 1)..], region);
    }
}

/// <summary>Set or remove rules from any node (the control plane's <c>route</c> palette will send these).</summary>
public sealed record SetRouteRules(IReadOnlyList<RouteRule> Set, IReadOnlyList<RouteRule> Remove);

/// <summary>The reply to <see cref="SetRouteRules"/>: written locally and gossiped, or why not.</summary>
public sealed record RouteRulesSet(bool Ok, string? Error);
