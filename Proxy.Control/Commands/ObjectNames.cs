using Proxy.Actors.Config;
using Proxy.Control.Fleet;

namespace Proxy.Control.Commands;

/// <summary>The configured names per kind: what <c>list</c> prints and what pbm completes <c>&lt;kind&gt;</c> with.</summary>
internal static class ObjectNames
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Of(ProxyConfig config) =>
        new Dictionary<string, IReadOnlyList<string>>
        {
            ["server"] = config.Servers.Select(s => s.Name).ToList(),
            ["escaper"] = config.Escapers.Select(e => e.Name).ToList(),
            ["resolver"] = config.Resolvers.Select(r => r.Name).ToList(),
            ["user-group"] = config.UserGroups.Select(g => g.Name).ToList(),
            // Not built yet: the config refuses auditor, so there are none to name.
            ["auditor"] = [],
        };

    /// <summary>The configured names plus, for the cluster words, the members (<c>&lt;member&gt;</c>) and regions (<c>&lt;region&gt;</c>).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Of(ProxyConfig config, ControlCluster cluster)
    {
        var names = new Dictionary<string, IReadOnlyList<string>>(Of(config));
        if (cluster.Current is { } attached)
        {
            var members = attached.Cluster.State.Members;
            names["member"] = members.Select(m => MemberAddress.Show(m.Address)).Order(StringComparer.Ordinal).ToList();
            names["region"] = members.SelectMany(m => m.Roles).Where(r => r.StartsWith("region-", StringComparison.Ordinal))
                .Select(r => r["region-".Length..]).Concat(attached.Services.Routes.Rules.Select(r => r.Region))
                .Distinct().Order(StringComparer.Ordinal).ToList();
        }
        return names;
    }
}
