using System.Net;
using System.Text.Json;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>The nested values of a user: facts, audit, explicit sites, resolve redirection, egress path maps.</summary>
internal static class UserSubParsers
{
    public static IReadOnlyList<FactsMatch> Facts(YamlNode node) => YamlValue.List(node).Select(FactsOne).ToList();

    private static FactsMatch FactsOne(YamlNode node)
    {
        string kind, value;
        if (node is YamlMappingNode map)
        {
            if (map.Children.Count != 1) throw new ConfigValueException("a match_by_facts map must have exactly one key", node);
            var (k, v) = map.Children.First();
            kind = YamlValue.String(k);
            value = YamlValue.String(v);
        }
        else
        {
            var text = YamlValue.String(node, "'type:value' or a one-key map");
            var colon = text.IndexOf(':');
            if (colon < 0) throw new ConfigValueException("a match_by_facts string must be 'type:value'", node);
            kind = text[..colon].TrimEnd();
            value = text[(colon + 1)..].TrimStart();
        }
        switch (YamlKey.Normalize(kind))
        {
            case "ip":
                if (!IPAddress.TryParse(value, out var ip)) throw new ConfigValueException($"invalid ip address '{value}'", node);
                return new FactsMatch(FactsMatchKind.Ip, new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128), null);
            case "net":
                try { return new FactsMatch(FactsMatchKind.Net, NetworkAclParser.Network(new YamlScalarNode(value)), null); }
                catch (ConfigValueException e) { throw new ConfigValueException(e.Message, node); }
            case "domain" or "exact_domain":
                return new FactsMatch(FactsMatchKind.ExactDomain, null, Domain(value, node));
            case "child_domain":
                return new FactsMatch(FactsMatchKind.ChildDomain, null, Domain(value, node).TrimStart('.'));
            default:
                throw new ConfigValueException($"invalid facts match type '{kind}' (ip, net, domain, exact_domain, child_domain)", node);
        }
    }

    private static string Domain(string text, YamlNode at)
    {
        var d = text.Trim().TrimEnd('.').ToLowerInvariant();
        return d.Length > 0 && Uri.CheckHostName(d.TrimStart('.')) == UriHostNameType.Dns ? d : throw new ConfigValueException($"invalid domain '{text}'", at);
    }

    public static UserAuditConfig Audit(YamlNode node)
    {
        var result = UserAuditConfig.Default;
        foreach (var (key, keyNode, value) in YamlValue.Entries(YamlValue.Map(node)))
        {
            result = key switch
            {
                "enable_protocol_inspection" => result with { EnableProtocolInspection = YamlValue.Bool(value) },
                "prohibit_unknown_protocol" => result with { ProhibitUnknownProtocol = YamlValue.Bool(value) },
                "prohibit_timeout_protocol" => result with { ProhibitTimeoutProtocol = YamlValue.Bool(value) },
                "task_audit_ratio" or "application_audit_ratio" => result with { TaskAuditRatio = RandomRatioParser.FromYaml(value) },
                _ => throw YamlValue.UnknownKey(key, keyNode),
            };
        }
        return result;
    }

    public static IReadOnlyList<ResolveRedirection> ResolveRedirection(YamlNode node)
    {
        var result = new List<ResolveRedirection>();
        if (node is YamlMappingNode map)
        {
            foreach (var (_, keyNode, value) in YamlValue.Entries(map))
                result.Add(Exact(Domain(((YamlScalarNode)keyNode).Value!, keyNode), value));
            return result;
        }
        if (node is not YamlSequenceNode seq) throw YamlValue.Expected("a map or a list of {exact|parent, to}", node);
        foreach (var item in seq.Children)
        {
            string? exact = null, parent = null;
            YamlNode? to = null;
            foreach (var (key, keyNode, value) in YamlValue.Entries(YamlValue.Map(item)))
            {
                switch (key)
                {
                    case "exact": exact = Domain(YamlValue.String(value), value); break;
                    case "parent": parent = Domain(YamlValue.String(value), value); break;
                    case "to": to = value; break;
                    default: throw YamlValue.UnknownKey(key, keyNode);
                }
            }
            if (to is null) throw new ConfigValueException("missing key 'to'", item);
            if (exact is not null) result.Add(Exact(exact, to));
            else if (parent is not null) result.Add(new ResolveRedirection(true, parent, [], Domain(YamlValue.String(to), to)));
            else throw new ConfigValueException("no exact or parent domain set", item);
        }
        return result;
    }

    private static ResolveRedirection Exact(string domain, YamlNode to)
    {
        if (to is YamlSequenceNode) return new ResolveRedirection(false, domain, SockAddrParser.IpList(to), null);
        var text = YamlValue.String(to, "a host or a list of IPs");
        return IPAddress.TryParse(text, out var ip)
            ? new ResolveRedirection(false, domain, [ip], null)
            : new ResolveRedirection(false, domain, [], Domain(text, to));
    }

    public static IReadOnlyDictionary<string, string> EgressPathIds(YamlNode node) =>
        YamlValue.Entries(YamlValue.Map(node)).ToDictionary(e => ((YamlScalarNode)e.KeyNode).Value!, e => YamlValue.String(e.Value));

    public static IReadOnlyDictionary<string, string> EgressPathValues(YamlNode node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, keyNode, value) in YamlValue.Entries(YamlValue.Map(node)))
        {
            var text = YamlValue.String(value, "a JSON value as a string");
            try { using var _ = JsonDocument.Parse(text); }
            catch (JsonException e) { throw new ConfigValueException($"invalid json string: {e.Message}", value); }
            result[((YamlScalarNode)keyNode).Value!] = text;
        }
        return result;
    }

    public static UserSiteConfig Site(YamlNode node, EntryScope scope)
    {
        var map = node as YamlMappingNode ?? throw YamlValue.Expected("a site map", node);
        var site = new UserSiteConfig { Id = "" };
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            site = key switch
            {
                "id" or "name" => site with { Id = YamlValue.String(value, "a site id") },
                "exact_match" => site with { ExactMatch = [.. site.ExactMatch, .. YamlValue.List(value).Select(v => Host(v))] },
                "child_match" => site with { ChildMatch = [.. site.ChildMatch, .. YamlValue.List(value).Select(v => Domain(YamlValue.String(v), v).TrimStart('.'))] },
                "subnet_match" => site with { SubnetMatch = [.. site.SubnetMatch, .. YamlValue.List(value).Select(NetworkAclParser.Network)] },
                "emit_stats" or "emit_metrics" => site with { EmitStats = YamlValue.Bool(value) },
                "duration_stats" or "duration_metrics" => throw new NotSupportedYetException($"explicit_sites.{key}", keyNode),
                "resolve_strategy" => site with { ResolveStrategy = ResolveStrategyParser.FromYaml(value) },
                "tls_client" => site with { TlsClient = TlsClientParser.FromYaml(value, scope, keyNode) },
                "http_rsp_header_recv_timeout" => site with { HttpRspHeaderRecvTimeout = HumanDuration.FromYaml(value) },
                _ => throw YamlValue.UnknownKey(key, keyNode),
            };
        }
        if (site.Id.Length == 0) throw new ConfigValueException("an explicit site needs an 'id'", node);
        return site;
    }

    private static string Host(YamlNode node)
    {
        var text = YamlValue.String(node, "a host").Trim().TrimEnd('.').ToLowerInvariant();
        return IPAddress.TryParse(text.Trim('[', ']'), out var ip) ? ip.ToString() : Domain(text, node);
    }
}
