using Akka.Actor;
using Akka.Cluster;
using Proxy.Actors.Cluster;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Loading;
using Proxy.Control.Fleet;
using Proxy.Control.Host;
using YamlDotNet.RepresentationModel;

namespace Proxy.Control.Commands;

/// <summary>
/// <c>route set REGION KIND PATTERN</c>, <c>route remove KIND PATTERN</c>, <c>route list</c>: the
/// replicated region rules (<see cref="RouteRulesActor"/>, DistributedData), from any node. Patterns
/// are checked and normalised by the same parser as the route escapers' config rules.
/// </summary>
internal static class RouteWords
{
    public const string Kinds = "exact|child|regex|subnet";

    private static readonly TimeSpan WriteLimit = TimeSpan.FromSeconds(5);

    public static async Task<ControlReply> SetAsync(string region, string kind, string pattern, ControlCluster cluster)
    {
        if (cluster.Current is not { } attached) return ControlReply.Fail("the cluster is not started on this node");
        if (region.Length == 0 || !region.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            return ControlReply.Fail($"invalid region '{region}' (letters, digits, '-', '_', '.')");
        var (rule, error) = Parse(kind, pattern, region);
        if (rule is null) return ControlReply.Fail(error!);
        var reply = await attached.Services.RouteRules.Ask<RouteRulesSet>(new SetRouteRules([rule], []), WriteLimit).ConfigureAwait(false);
        if (!reply.Ok) return ControlReply.Fail($"route rule not written: {reply.Error}");
        var lines = new List<string>();
        var role = "region-" + region;
        if (!attached.Cluster.State.Members.Any(m => m.Status == MemberStatus.Up && m.HasRole(role)))
            lines.Add($"warning: no member of region '{region}' is up; until one is, these destinations take the fallback");
        return new ControlReply(lines, Notice: $"route {rule.Key} -> {region} set (replicated to every node)");
    }

    public static async Task<ControlReply> RemoveAsync(string kind, string pattern, ControlCluster cluster)
    {
        if (cluster.Current is not { } attached) return ControlReply.Fail("the cluster is not started on this node");
        var (parsed, error) = Parse(kind, pattern, "");
        if (parsed is null) return ControlReply.Fail(error!);
        if (attached.Services.Routes.Rules.FirstOrDefault(r => r.Key == parsed.Key) is not { } existing)
            return ControlReply.Fail($"no route rule {parsed.Key}");
        var reply = await attached.Services.RouteRules.Ask<RouteRulesSet>(new SetRouteRules([], [existing]), WriteLimit).ConfigureAwait(false);
        return reply.Ok ? ControlReply.Done($"route {existing.Key} removed") : ControlReply.Fail($"route rule not removed: {reply.Error}");
    }

    /// <summary>One rule per line as <c>REGION KIND PATTERN</c>, the arguments <c>route set</c> takes.</summary>
    public static ControlReply List(ControlCluster cluster)
    {
        if (cluster.Current is not { } attached) return ControlReply.Fail("the cluster is not started on this node");
        var rules = attached.Services.Routes.Rules;
        if (rules.Count == 0) return ControlReply.Done("no route rules");
        var rows = rules.Select(r => new[] { r.Region, r.Kind.ToString().ToLowerInvariant(), r.Pattern }).ToList();
        return new ControlReply(ClusterWords.Table(rows).ToList(), Notice: $"{rules.Count} route rule(s)");
    }

    /// <summary>The rule the words name, normalised as the config's rules are (lower-case hosts, canonical networks).</summary>
    internal static (RouteRule? Rule, string? Error) Parse(string kind, string pattern, string region)
    {
        if (pattern.Trim().Trim('.').Length == 0) return (null, "the pattern is empty");
        var node = new YamlScalarNode(pattern);
        try
        {
            return kind switch
            {
                "exact" => (new RouteRule(RouteRuleKind.Exact, RouteRuleParser.Host(node), region), null),
                "child" => (new RouteRule(RouteRuleKind.Child, RouteRuleParser.Domain(node), region), null),
                "regex" => (new RouteRule(RouteRuleKind.Regex, RouteRuleParser.Regex(node).Regex.ToString(), region), null),
                "subnet" => (new RouteRule(RouteRuleKind.Subnet, RouteRuleParser.Network(node).ToString(), region), null),
                _ => (null, $"unknown rule kind '{kind}' (one of: exact, child, regex, subnet)"),
            };
        }
        catch (ConfigValueException e)
        {
            return (null, e.Message);
        }
    }
}
