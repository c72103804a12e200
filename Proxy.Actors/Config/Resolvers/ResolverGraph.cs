using Proxy.Actors.Config.Loading;

namespace Proxy.Actors.Config.Resolvers;

/// <summary>
/// The references between resolvers (fail_over's primary and standby): a loop is refused at
/// load, naming the cycle; a missing member is, as in g3, a deny_all, with a warning.
/// </summary>
internal static class ResolverGraph
{
    public static void Check(IReadOnlyList<ResolverConfig> resolvers, IReadOnlySet<string> names, ConfigDiagnostics diagnostics)
    {
        var byName = new Dictionary<string, ResolverConfig>(StringComparer.Ordinal);
        foreach (var r in resolvers) byName.TryAdd(r.Name, r);

        foreach (var f in resolvers.OfType<FailOverResolverConfig>())
            foreach (var (key, member) in Members(f))
                if (member.Length > 0 && !names.Contains(member))
                    diagnostics.Warn(f.Position.File, f.Position.Line, $"resolver '{f.Name}'", key,
                        $"resolver '{member}' not found, acts as deny_all");

        // Depth-first walk; a member met again while still on the path closes a loop.
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in resolvers) Visit(r.Name);

        void Visit(string name)
        {
            if (done.Contains(name) || !byName.TryGetValue(name, out var r)) return;
            var at = path.IndexOf(name);
            if (at >= 0)
            {
                var cycle = path.Skip(at).Append(name).ToList();
                // One error per loop, on the entry where the loop was entered.
                if (reported.Add(string.Join(" ", cycle.Skip(1).Order(StringComparer.Ordinal))))
                {
                    var head = byName[cycle[0]];
                    diagnostics.Error(head.Position.File, head.Position.Line, $"resolver '{head.Name}'", "primary",
                        $"resolver loop: {string.Join(" -> ", cycle)}");
                }
                return;
            }
            path.Add(name);
            if (r is FailOverResolverConfig f)
                foreach (var (_, member) in Members(f)) Visit(member);
            path.RemoveAt(path.Count - 1);
            done.Add(name);
        }
    }

    private static IEnumerable<(string Key, string Member)> Members(FailOverResolverConfig f) =>
        [("primary", f.Primary), ("standby", f.Standby)];
}
