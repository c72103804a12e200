using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Auditors;

/// <summary>g3's DPI values (g3-yaml value/dpi): protocol_inspection, portmaps and inspect policies.</summary>
internal static class DpiParsers
{
    public static string DetourReason(string what) =>
        $"{what} (needs a QUIC peer; System.Net.Quic needs libmsquic, which no package source here serves)";

    public static ProtocolInspectionConfig ProtocolInspection(YamlNode node)
    {
        return MapFold.Apply(node, "protocol inspection", new ProtocolInspectionConfig(), (c, key, k, v) => key switch
        {
            "inspect_max_depth" => c with { InspectMaxDepth = YamlValue.Int32(v) },
            "data0_buffer_size" => c with { Data0BufferSize = HumanSize.FromYamlInt32(v) },
            "data0_wait_timeout" => c with { Data0WaitTimeout = HumanDuration.FromYaml(v) },
            "data0_read_timeout" => c with { Data0ReadTimeout = HumanDuration.FromYaml(v) },
            "data0_size_limit" => c with { Data0SizeLimit = SizeLimit(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    private static InspectionSizeLimit SizeLimit(YamlNode node)
    {
        return MapFold.Apply(node, "inspection size limit", new InspectionSizeLimit(), (c, key, k, v) => key switch
        {
            "ftp_greeting_msg" or "ftp_server_greeting_msg" => c with { FtpGreetingMsg = HumanSize.FromYamlInt32(v) },
            "http_request_uri" or "http_client_request_uri" => c with { HttpRequestUri = HumanSize.FromYamlInt32(v) },
            "imap_greeting_msg" or "imap_server_greeting_msg" => c with { ImapGreetingMsg = HumanSize.FromYamlInt32(v) },
            "nats_info_line" or "nats_server_info_line" => c with { NatsInfoLine = HumanSize.FromYamlInt32(v) },
            "ldap_request_msg" => c with { LdapRequestMsg = HumanSize.FromYamlInt32(v) },
            // deprecated in g3 1.9.0 and ignored there
            "smtp_greeting_msg" or "smtp_server_greeting_msg" => c,
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    /// <summary>A map <c>port: protocol(s)</c> or a list of <c>{port, protocol}</c>, added to <paramref name="current"/>.</summary>
    public static ProtocolPortMap Portmap(ProtocolPortMap current, YamlNode node)
    {
        var entries = new List<(int, IReadOnlyList<string>)>();
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (port, protocols) in map.Children)
                    entries.Add((Port(port), Protocols(protocols)));
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    YamlNode? port = null, protocol = null;
                    foreach (var (key, k, v) in YamlValue.Entries(Map(item, "{port, protocol}")))
                    {
                        if (key == "port") port = v;
                        else if (key == "protocol") protocol = v;
                        else throw YamlValue.UnknownKey(key, k);
                    }
                    if (port is null || protocol is null) throw new ConfigValueException("each entry needs 'port' and 'protocol'", item);
                    entries.Add((Port(port), Protocols(protocol)));
                }
                break;
            default:
                throw YamlValue.Expected("a map or a list", node);
        }
        return current.With(entries);
    }

    private static int Port(YamlNode node) => YamlValue.Int32(node, 0, 65535);

    private static IReadOnlyList<string> Protocols(YamlNode node)
    {
        if (node is not YamlSequenceNode && node is not YamlScalarNode) throw YamlValue.Expected("a protocol or a list of them", node);
        var list = new List<string>();
        foreach (var item in YamlValue.List(node))
        {
            var p = YamlValue.String(item, "a protocol name");
            if (!PortHint.IsKnown(p)) throw new ConfigValueException($"unrecognised protocol '{p}'", item);
            list.Add(p);
        }
        return list;
    }

    /// <summary>g3's protocol inspect policy: an action, or <c>{default, exact_match, child_match, subnet_match}</c>.</summary>
    public static InspectPolicy Policy(YamlNode node)
    {
        if (node is not YamlMappingNode map) return InspectPolicy.Only(Action(node));
        var policy = InspectPolicy.InterceptAll;
        foreach (var (key, k, v) in YamlValue.Entries(map))
        {
            policy = key switch
            {
                "default" => policy with { Default = Action(v) },
                "exact_match" or "exact" => policy with
                {
                    Exact = Rules(v, Host).GroupBy(r => r.Item1).ToDictionary(g => g.Key, g => g.Last().Item2),
                },
                "child_match" or "child" => policy with { Child = Rules(v, Domain) },
                "subnet_match" or "subnet" => policy with { Subnet = Rules(v, NetworkAclParser.Network) },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return policy;
    }

    private static List<(T, InspectAction)> Rules<T>(YamlNode node, Func<YamlNode, T> record)
    {
        var rules = new List<(T, InspectAction)>();
        foreach (var (_, k, v) in YamlValue.Entries(Map(node, "an inspect rule (action: records)")))
        {
            var action = Action(k);
            foreach (var item in YamlValue.List(v)) rules.Add((record(item), action));
        }
        return rules;
    }

    private static string Host(YamlNode node)
    {
        var text = YamlValue.String(node, "a host").Trim().TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(text.Trim('[', ']'), out var ip)) return ip.ToString();
        return Domain(node);
    }

    private static string Domain(YamlNode node)
    {
        var text = YamlValue.String(node, "a domain").Trim().TrimStart('.').TrimEnd('.').ToLowerInvariant();
        return text.Length > 0 && Uri.CheckHostName(text) == UriHostNameType.Dns
            ? text
            : throw new ConfigValueException($"invalid domain '{text}'", node);
    }

    private static InspectAction Action(YamlNode node) =>
        YamlValue.String(node, "an inspect action").ToLowerInvariant() switch
        {
            "intercept" => InspectAction.Intercept,
            "bypass" => InspectAction.Bypass,
            "block" => InspectAction.Block,
            "detour" => throw new NotSupportedYetException(DetourReason("detour"), node),
            var s => throw new ConfigValueException($"invalid protocol inspect action '{s}' (intercept, bypass, block, detour)", node),
        };

    internal static YamlMappingNode Map(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw YamlValue.Expected($"a map ({what})", node);
}
