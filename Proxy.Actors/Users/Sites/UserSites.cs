using System.Net;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Users.Sites;

/// <summary>
/// Which of a user's <c>explicit_sites</c> a task's target is in, as g3's UserSites::fetch_site: an
/// IP target by exact address, then by the longest subnet holding it; a domain by exact name, then
/// by the nearest parent among the child_match domains (the domain itself included). The one
/// matcher for site settings and site metrics. Immutable, thread-safe.
/// </summary>
internal sealed class UserSites
{
    private readonly Dictionary<IPAddress, UserSite> _exactIp = [];
    private readonly Dictionary<string, UserSite> _exactDomain = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, UserSite> _childDomain = new(StringComparer.OrdinalIgnoreCase);
    private readonly (IPNetwork Net, UserSite Site)[] _subnets;

    private UserSites(IEnumerable<UserSite> sites)
    {
        var subnets = new List<(IPNetwork, UserSite)>();
        foreach (var site in sites)
        {
            foreach (var exact in site.Config.ExactMatch)
            {
                if (IPAddress.TryParse(exact.Trim('[', ']'), out var ip)) _exactIp[Canonical(ip)] = site;
                else _exactDomain[exact] = site;
            }
            foreach (var child in site.Config.ChildMatch) _childDomain[child] = site;
            foreach (var net in site.Config.SubnetMatch) subnets.Add((net, site));
        }
        // the longest prefix first, so the first subnet that holds an address is the most specific
        _subnets = [.. subnets.OrderByDescending(s => s.Item1.PrefixLength)];
    }

    /// <summary>The matcher of <paramref name="configs"/>, each made into a site by <paramref name="make"/>; null when there are none.</summary>
    public static UserSites? Build(IReadOnlyList<UserSiteConfig> configs, Func<UserSiteConfig, UserSite> make) =>
        configs.Count == 0 ? null : new UserSites(configs.Select(make));

    /// <summary>The site <paramref name="upstream"/> is in, or null.</summary>
    public UserSite? Find(UpstreamAddr upstream)
    {
        if (upstream.Ip is { } ip)
        {
            ip = Canonical(ip);
            if (_exactIp.TryGetValue(ip, out var byIp)) return byIp;
            foreach (var (net, site) in _subnets)
                if (net.BaseAddress.AddressFamily == ip.AddressFamily && net.Contains(ip)) return site;
            return null;
        }
        var host = upstream.Host.TrimEnd('.');
        if (_exactDomain.TryGetValue(host, out var exact)) return exact;
        if (_childDomain.Count == 0) return null;
        // the host itself, then each parent: the first listed is the nearest
        var children = _childDomain.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var name = host.AsSpan(); ; )
        {
            if (children.TryGetValue(name, out var child)) return child;
            var dot = name.IndexOf('.');
            if (dot < 0) return null;
            name = name[(dot + 1)..];
        }
    }

    private static IPAddress Canonical(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
}
