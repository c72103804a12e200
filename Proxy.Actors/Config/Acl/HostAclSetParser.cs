using System.Net;
using System.Text.RegularExpressions;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Acl;

/// <summary>g3's dst_host_filter_set (lib/g3-yaml value/acl_set/dst_host.rs).</summary>
internal static class HostAclSetParser
{
    public static HostAclRuleSet Parse(YamlNode node)
    {
        HostExactRule? exact = null;
        HostChildRule? child = null;
        HostRegexRule? regex = null;
        NetworkAclRule? subnet = null;
        foreach (var (key, keyNode, value) in YamlValue.Entries(YamlValue.Map(node)))
        {
            switch (key)
            {
                case "exact_match" or "exact": exact = Exact(value); break;
                case "child_match" or "child": child = Child(value); break;
                case "regex_match" or "regex": regex = RegexRule(value); break;
                // g3 seeds the dst subnet rule with the egress builtins (unspecified, loopback, link-local)
                case "subnet_match" or "subnet": subnet = NetworkAclParser.Egress(value); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        return new HostAclRuleSet(exact, child, regex, subnet);
    }

    private static HostExactRule Exact(YamlNode node)
    {
        var parsed = AclRuleReader.Read(node);
        var hosts = new Dictionary<string, AclAction>(StringComparer.Ordinal);
        foreach (var (action, record) in parsed.Records)
        {
            var host = Host(record);
            hosts[host] = hosts.TryGetValue(host, out var prev) && prev > action ? prev : action;
        }
        return new HostExactRule(hosts, parsed.Default);
    }

    private static HostChildRule Child(YamlNode node)
    {
        var parsed = AclRuleReader.Read(node);
        // HostAclRuleSet takes the first match: the longest (most specific) parent first, then strictest
        var domains = parsed.Records
            .Select(r => (Domain: Host(r.Record).TrimStart('.'), r.Action))
            .OrderByDescending(d => d.Domain.Length).ThenByDescending(d => d.Action)
            .ToList();
        return new HostChildRule(domains, parsed.Default);
    }

    private static HostRegexRule RegexRule(YamlNode node)
    {
        var parsed = AclRuleReader.Read(node);
        var patterns = new List<(Regex, AclAction)>();
        foreach (var (action, record) in parsed.Records.OrderByDescending(r => r.Action))
        {
            var text = YamlValue.String(record, "a regular expression");
            try { patterns.Add((new Regex(text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), action)); }
            catch (ArgumentException e) { throw new ConfigValueException($"invalid regex '{text}': {e.Message}", record); }
        }
        return new HostRegexRule(patterns, parsed.Default);
    }

    private static string Host(YamlNode node)
    {
        var text = YamlValue.String(node, "a host name or IP").Trim().TrimEnd('.').ToLowerInvariant();
        if (text.Length == 0) throw YamlValue.Expected("a host name or IP", node);
        return IPAddress.TryParse(text.Trim('[', ']'), out var ip) ? ip.ToString() : text;
    }
}
