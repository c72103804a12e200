using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>Where a redirected name goes: fixed addresses, or another name to resolve instead.</summary>
internal sealed record ResolveRedirectionTarget(IReadOnlyList<IPAddress>? Ips, string? Name);

/// <summary>
/// g3's <c>resolve_redirection</c> lookup (lib/g3-types/src/resolve/redirect.rs) over the parsed
/// rules: exact rules map a name to addresses or another name; parent rules swap a parent domain
/// for another (the parent itself and every name under it). Exact rules win; among parents the
/// longest wins. Immutable, thread-safe.
/// </summary>
internal sealed class ResolveRedirectionTable
{
    private readonly Dictionary<string, ResolveRedirectionTarget> _exact = new(StringComparer.Ordinal);
    private readonly (string From, string To)[] _parents;

    public ResolveRedirectionTable(IReadOnlyList<ResolveRedirection> rules)
    {
        foreach (var r in rules.Where(r => !r.Parent))
            _exact[Normalize(r.Domain)] = r.ToHost is { } host ? new(null, Normalize(host)) : new(r.ToIps, null);
        _parents = rules.Where(r => r.Parent).Select(r => (Normalize(r.Domain), Normalize(r.ToHost ?? "")))
            .OrderByDescending(r => r.Item1.Length).ToArray();
    }

    /// <summary>The redirection for a name, or null to resolve it as it is.</summary>
    public ResolveRedirectionTarget? Lookup(string host)
    {
        var name = Normalize(host);
        if (_exact.TryGetValue(name, out var exact)) return exact;
        foreach (var (from, to) in _parents)
        {
            if (name == from) return new(null, to);
            if (name.EndsWith("." + from, StringComparison.Ordinal)) return new(null, name[..^from.Length] + to);
        }
        return null;
    }

    /// <summary>The addresses the query allows, in its family order (a mapped IPv4 counts as IPv4), as g3 splits them.</summary>
    public static IReadOnlyList<IPAddress> Order(IReadOnlyList<IPAddress> ips, ResolveQuery query)
    {
        var v4 = ips.Select(i => i.IsIPv4MappedToIPv6 ? i.MapToIPv4() : i).Where(i => i.AddressFamily == AddressFamily.InterNetwork).ToList();
        var v6 = ips.Where(i => i.AddressFamily == AddressFamily.InterNetworkV6 && !i.IsIPv4MappedToIPv6).ToList();
        return query switch
        {
            ResolveQuery.Ipv4Only => v4,
            ResolveQuery.Ipv6Only => v6,
            ResolveQuery.Ipv6First => [.. v6, .. v4],
            _ => [.. v4, .. v6],
        };
    }

    private static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();
}
