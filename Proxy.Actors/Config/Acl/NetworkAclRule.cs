using System.Net;

namespace Proxy.Actors.Config.Acl;

public sealed record NetworkAclEntry(IPNetwork Network, AclAction Action);

/// <summary>
/// An IP network ACL (ingress/egress network filters, subnet_match): the longest
/// matching prefix decides, as g3's network table does; nothing matching means <see cref="Default"/>.
/// </summary>
public sealed record NetworkAclRule(IReadOnlyList<NetworkAclEntry> Entries, AclAction Default)
{
    public AclAction Check(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var best = -1;
        var action = Default;
        foreach (var e in Entries)
        {
            // '>': on equal prefixes the first entry wins; the parser lists the strictest first
            // and drops a builtin that the config names again.
            if (e.Network.PrefixLength > best && e.Network.Contains(ip))
            {
                best = e.Network.PrefixLength;
                action = e.Action;
            }
        }
        return action;
    }

    /// <summary>Networks g3 never lets an escaper reach unless the config permits them explicitly.</summary>
    public static readonly IReadOnlyList<NetworkAclEntry> EgressBuiltins =
    [
        new(IPNetwork.Parse("0.0.0.0/8"), AclAction.Forbid),        // unspecified / "this network"
        new(IPNetwork.Parse("127.0.0.0/8"), AclAction.Forbid),      // loopback
        new(IPNetwork.Parse("169.254.0.0/16"), AclAction.Forbid),   // link-local
        new(IPNetwork.Parse("::/128"), AclAction.Forbid),           // unspecified
        new(IPNetwork.Parse("::1/128"), AclAction.Forbid),          // loopback
        new(IPNetwork.Parse("fe80::/10"), AclAction.Forbid),        // link-local
        new(IPNetwork.Parse("100::/64"), AclAction.Forbid),         // discard-only (RFC 6666)
    ];

    /// <summary>Loopback clients are always let in by an ingress filter, as in g3.</summary>
    public static readonly IReadOnlyList<NetworkAclEntry> IngressBuiltins =
    [
        new(IPNetwork.Parse("127.0.0.1/32"), AclAction.Permit),
        new(IPNetwork.Parse("::1/128"), AclAction.Permit),
    ];

    /// <summary>g3's default egress filter when none is configured: permit all but the builtins.</summary>
    public static readonly NetworkAclRule DefaultEgress = new(EgressBuiltins, AclAction.Permit);
}
