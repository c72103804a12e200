using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Stats;

/// <summary>
/// Which of a user's <c>explicit_sites</c> a target falls in, for the user-site metrics: an exact
/// host or IP, a domain or its children, or an IP in a subnet. Only sites with <c>emit_stats</c>
/// count; the parser refuses overlaps, so the first match is the only one.
/// </summary>
internal static class UserSiteMatch
{
    public static string? EmittingSite(IReadOnlyList<UserSiteConfig> sites, UpstreamAddr? upstream)
    {
        if (sites.Count == 0 || upstream is null) return null;
        var ip = upstream.Ip;
        var host = upstream.Host.TrimEnd('.');
        foreach (var site in sites)
        {
            if (!site.EmitStats) continue;
            if (ip is not null)
            {
                foreach (var net in site.SubnetMatch)
                    if (net.Contains(ip)) return site.Id;
                foreach (var exact in site.ExactMatch)
                    if (System.Net.IPAddress.TryParse(exact.Trim('[', ']'), out var e) && e.Equals(ip)) return site.Id;
                continue;
            }
            foreach (var exact in site.ExactMatch)
                if (string.Equals(exact, host, StringComparison.OrdinalIgnoreCase)) return site.Id;
            foreach (var parent in site.ChildMatch)
                if (host.EndsWith(parent, StringComparison.OrdinalIgnoreCase)
                    && (host.Length == parent.Length || host[host.Length - parent.Length - 1] == '.'))
                    return site.Id;
        }
        return null;
    }
}
