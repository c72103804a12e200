using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Acl;

/// <summary>g3's dst_port_filter (exact port rule); records are g3 "ports" values, default forbid.</summary>
internal static class PortAclParser
{
    public static PortAclRule Parse(YamlNode node)
    {
        var parsed = AclRuleReader.Read(node);
        // PortAclRule is first-match; strictest first gives g3's precedence when a port is listed twice
        var entries = parsed.Records
            .SelectMany(r => PortRanges.FromYaml(r.Record).Select(p => new PortAclEntry(p.From, p.To, r.Action)))
            .OrderByDescending(e => e.Action)
            .ToList();
        return new PortAclRule(entries, parsed.Default);
    }
}
