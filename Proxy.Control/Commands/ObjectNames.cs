using Proxy.Actors.Config;

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
}
