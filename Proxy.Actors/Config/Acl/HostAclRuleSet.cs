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

    // Lookup tables built once from the rules: Check runs for every request of every user with the filter.
    private readonly Dictionary<IPAddress, AclAction>? _exactIps = ExactIps(Exact);
    private readonly Dictionary<string, AclAction>.AlternateLookup<ReadOnlySpan<char>>? _exactNames = NameLookup(Exact?.Hosts);
    private readonly Dictionary<string, AclAction>.AlternateLookup<ReadOnlySpan<char>>? _childNames = NameLookup(Child?.Domains);

    /// <summary><see cref="Check(string)"/> for a target whose IP form is parsed once (<see cref="UpstreamAddr.Ip"/>).</summary>
    public AclAction Check(Values.UpstreamAddr upstream) => upstream.Ip is { } ip ? CheckIp(ip) : Check(upstream.Host);

    public AclAction Check(string host)
    {
        var name = host.AsSpan().TrimEnd('.');
        if (IPAddress.TryParse(name.Trim("[]"), out var ip)) return CheckIp(ip);
        // client-sent names are lower-case ASCII almost always: no copy for them
        if (!System.Text.Ascii.IsValid(name) || name.ContainsAnyInRange('A', 'Z')) name = name.ToString().ToLowerInvariant();
        if (_exactNames is { } exact && exact.TryGetValue(name, out var a)) return a;
        if (_childNames is { } child)
        {
            // the name itself, then each parent: the longest listed domain decides
            for (var suffix = name; ;)
            {
                if (child.TryGetValue(suffix, out var c)) return c;
                var dot = suffix.IndexOf('.');
                if (dot < 0) break;
                suffix = suffix[(dot + 1)..];
            }
        }
        if (Regex is not null)
        {
            var text = name.ToString();
            foreach (var (regex, action) in Regex.Patterns)
                if (regex.IsMatch(text)) return action;
        }
        return StrictestDefault();
    }

    private AclAction CheckIp(IPAddress ip)
    {
        if (_exactIps is not null && _exactIps.TryGetValue(ip, out var a)) return a;
        if (Subnet is not null && Subnet.TryMatch(ip, out var s)) return s;
        return StrictestDefault();
    }

    /// <summary>
    /// The rules as text, equal for two sets that decide every target alike (same rules, same order,
    /// same defaults): users whose sets have the same key can share one compiled set.
    /// </summary>
    internal string ContentKey()
    {
        var key = new System.Text.StringBuilder();
        void Add(string text) => key.Append(text.Length).Append(':').Append(text);
        if (Exact is not null)
        {
            key.Append("exact ").Append((int)Exact.Default);
            foreach (var (host, action) in Exact.Hosts.OrderBy(h => h.Key, StringComparer.Ordinal)) { Add(host); key.Append((int)action); }
        }
        if (Child is not null)
        {
            key.Append(" child ").Append((int)Child.Default);
            foreach (var (domain, action) in Child.Domains) { Add(domain); key.Append((int)action); }
        }
        if (Regex is not null)
        {
            key.Append(" regex ").Append((int)Regex.Default);
            foreach (var (regex, action) in Regex.Patterns) { Add(regex.ToString()); key.Append((int)regex.Options).Append(',').Append((int)action); }
        }
        if (Subnet is not null)
        {
            key.Append(" subnet ").Append((int)Subnet.Default);
            foreach (var e in Subnet.Entries) { Add(e.Network.ToString()); key.Append((int)e.Action); }
        }
        return key.ToString();
    }

    private static Dictionary<IPAddress, AclAction>? ExactIps(HostExactRule? exact)
    {
        if (exact is null) return null;
        var ips = new Dictionary<IPAddress, AclAction>();
        foreach (var (host, action) in exact.Hosts)
            if (IPAddress.TryParse(host, out var ip)) ips[ip] = action;
        return ips.Count > 0 ? ips : null;
    }

    /// <summary>First entry of a name wins (the parser lists the strictest of equal names first).</summary>
    private static Dictionary<string, AclAction>.AlternateLookup<ReadOnlySpan<char>>? NameLookup(IEnumerable<KeyValuePair<string, AclAction>>? entries)
    {
        if (entries is null) return null;
        var names = new Dictionary<string, AclAction>(StringComparer.Ordinal);
        foreach (var (name, action) in entries) names.TryAdd(name, action);
        return names.Count > 0 ? names.GetAlternateLookup<ReadOnlySpan<char>>() : null;
    }

    private static Dictionary<string, AclAction>.AlternateLookup<ReadOnlySpan<char>>? NameLookup(IEnumerable<(string Domain, AclAction Action)>? entries) =>
        NameLookup(entries?.Select(e => KeyValuePair.Create(e.Domain, e.Action)));
}
