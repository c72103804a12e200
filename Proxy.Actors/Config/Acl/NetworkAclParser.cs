using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Acl;

/// <summary>
/// Network ACLs (ingress/egress network filters, subnet_match). g3 seeds these with builtin entries;
/// a configured network equal to a builtin replaces it, and a longer configured prefix beats it at match time.
/// </summary>
internal static class NetworkAclParser
{
    public static NetworkAclRule Egress(YamlNode node) => Parse(node, NetworkAclRule.EgressBuiltins);

    public static NetworkAclRule Ingress(YamlNode node) => Parse(node, NetworkAclRule.IngressBuiltins);

    public static NetworkAclRule Parse(YamlNode node, IReadOnlyList<NetworkAclEntry> builtins)
    {
        var parsed = AclRuleReader.Read(node);
        // strictest first: NetworkAclRule keeps the first of equally long prefixes, and g3 ranks forbid_log highest
        var configured = parsed.Records
            .Select(r => new NetworkAclEntry(Network(r.Record), r.Action))
            .OrderByDescending(e => e.Action)
            .ToList();
        var kept = builtins.Where(b => configured.All(c => !c.Network.Equals(b.Network)));
        return new NetworkAclRule([.. configured, .. kept], parsed.Default);
    }

    /// <summary>An IP (a host network) or CIDR; host bits beyond the prefix are cleared as g3 does.</summary>
    public static IPNetwork Network(YamlNode node)
    {
        var text = YamlValue.String(node, "an IP network").Trim();
        var slash = text.IndexOf('/');
        var ipText = (slash < 0 ? text : text[..slash]).Trim('[', ']');
        if (!IPAddress.TryParse(ipText, out var ip))
            throw new ConfigValueException($"invalid IP network '{text}'", node);
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], out prefix) || prefix < 0 || prefix > max))
            throw new ConfigValueException($"invalid prefix length in '{text}'", node);
        var bytes = ip.GetAddressBytes();
        for (var bit = prefix; bit < max; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
