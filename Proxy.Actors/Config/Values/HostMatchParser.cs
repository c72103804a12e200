using System.Net;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// Reads a g3 host matched object: one map or a list of maps, each a value of T plus the reserved
/// keys <c>exact_match</c> (a host or a list), <c>child_match</c> (a domain or a list) and
/// <c>set_default</c>; a map with none of them is the default. One value per rule, as g3 checks.
/// </summary>
internal static class HostMatchParser
{
    public const string ReservedKeys = "exact_match|child_match|set_default";

    /// <param name="item">Builds one T from its map; it must skip <see cref="ReservedKeys"/>.</param>
    public static HostMatch<T> FromYaml<T>(YamlNode node, Func<YamlMappingNode, T> item) where T : class
    {
        var exact = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        var children = new List<(string, T)>();
        var childSeen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        T? fallback = null;
        foreach (var entry in YamlValue.List(node))
        {
            var map = YamlValue.Map(entry, "a host map");
            var value = item(map);
            var ruled = false;
            var isDefault = false;
            foreach (var (key, k, v) in YamlValue.Entries(map))
            {
                switch (key)
                {
                    case "exact_match":
                        foreach (var h in YamlValue.List(v))
                        {
                            var host = Host(h);
                            if (!exact.TryAdd(host, value)) throw new ConfigValueException($"exact_match '{host}' is set twice", h);
                        }
                        ruled = true;
                        break;
                    case "child_match":
                        foreach (var h in YamlValue.List(v))
                        {
                            var domain = Host(h).Trim('.');
                            if (!childSeen.Add(domain)) throw new ConfigValueException($"child_match '{domain}' is set twice", h);
                            children.Add((domain, value));
                        }
                        ruled = true;
                        break;
                    case "set_default":
                        isDefault = YamlValue.Bool(v);
                        break;
                }
            }
            if (isDefault || !ruled)
            {
                if (fallback is not null) throw new ConfigValueException("a second default host", entry);
                fallback = value;
            }
        }
        return new HostMatch<T>(exact, children, fallback);
    }

    private static string Host(YamlNode node)
    {
        var text = YamlValue.String(node, "a host").Trim();
        if (IPAddress.TryParse(text.Trim('[', ']'), out var ip)) return ip.ToString();
        if (text.Length == 0 || text.Length > 253 || text.Contains(' ') || text.Contains(':'))
            throw YamlValue.Expected("a host name or IP", node);
        return text.ToLowerInvariant();
    }
}
