using System.Net;
using System.Text.RegularExpressions;

namespace Proxy.Actors.Config.Acl;

public sealed record HostExactRule(IReadOnlyDictionary<string, AclAction> Hosts, AclAction Default);
/// <summary>child_match: a domain and every name below it.</summary>
public sealed record HostChildRule(IReadOnlyList<(string Domain, AclAction Action)> Domains, AclAction Default);
public sealed record HostRegexRule(IReadOnlyList<(Regex Regex, AclAction Action)> Patterns, AclAction Default);

/// <summary>
/// g3's <c>dst_host_filter_set</c>: exact, child, regex and subnet rules. The first rule in that
/// order that matches decides; when all miss, the strictest of their defaults wins.
/// </summary>
public sealed record HostAclRuleSet(
    HostExactRule? Exact,
    HostChildRule? Child,
    HostRegexRule? Regex,
    NetworkAclRule? Subnet)
{
    private AclAction StrictestDefault()
    {
        var result = AclAction.Permit;
        if (Exact is not null && Exact.Default > result) result = Exact.Default;
        if (Child is not null && Child.Default > result) result = Child.Default;
        if (Regex is not null && Regex.Default > result) result = Regex.Default;
        if (Subnet is not null && Subnet.Default > result) result = Subnet.Default;
        return result;
    }

    public AclAction Check(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        var ip = IPAddress.TryParse(host.Trim('[', ']'), out var parsed) ? parsed : null;
        if (ip is not null)
        {
            if (Exact is not null)
            {
                if (Exact.Hosts.TryGetValue(ip.ToString(), out var a)) return a;
            }
            if (Subnet is not null)
            {
                foreach (var e in Subnet.Entries)
                    if (e.Network.Contains(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip)) return Subnet.Check(ip);
            }
        }
        else
        {
            if (Exact is not null)
            {
                if (Exact.Hosts.TryGetValue(host, out var a)) return a;
            }
            if (Child is not null)
            {
                foreach (var (domain, action) in Child.Domains)
                    if (host == domain || host.EndsWith("." + domain, StringComparison.Ordinal)) return action;
            }
            if (Regex is not null)
            {
                foreach (var (regex, action) in Regex.Patterns)
                    if (regex.IsMatch(host)) return action;
            }
        }
        return StrictestDefault();
    }
}
