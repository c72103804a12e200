using Proxy.Actors.Config.Loading;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// The config-time check over route escapers' next names: a cycle would send a request round
/// forever, so it is refused at load, naming the cycle. A name with no escaper is not followed
/// (it acts as dummy_deny, as in g3).
/// </summary>
internal static class EscaperGraph
{
    public static void CheckLoops(IReadOnlyList<EscaperConfig> escapers, ConfigDiagnostics diagnostics)
    {
        var byName = escapers.GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.First());
        var done = new HashSet<string>();
        var reported = new HashSet<string>();
        foreach (var start in escapers)
        {
            var path = new List<string>();
            var onPath = new HashSet<string>();
            Visit(start.Name);

            void Visit(string name)
            {
                if (done.Contains(name) || !byName.TryGetValue(name, out var config)) return;
                if (onPath.Contains(name))
                {
                    var cycle = path.Skip(path.IndexOf(name)).Append(name).ToList();
                    var first = byName[cycle[0]];
                    var key = first.NextEscapers.First(n => n.Name == cycle[1]).Key;
                    if (reported.Add(string.Join(">", cycle.Skip(1).Order())))
                        diagnostics.Error(first.Position.File, first.Position.Line, $"escaper '{first.Name}'", key,
                            $"route loop: {string.Join(" -> ", cycle)}");
                    return;
                }
                path.Add(name);
                onPath.Add(name);
                foreach (var (_, next) in config.NextEscapers) Visit(next);
                path.RemoveAt(path.Count - 1);
                onPath.Remove(name);
                done.Add(name);
            }
        }
    }
}
