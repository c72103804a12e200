using System.Net;

namespace Proxy.Actors.Config.Acl;

public sealed record NetworkAclEntry(IPNetwork Network, AclAction Action);

/// <summary>
/// An IP network ACL (ingress/egress network filters, subnet_match): the longest
/// matching prefix decides, as g3's network table does; nothing matching means <see cref="Default"/>.
/// </summary>
public sealed record NetworkAclRule(IReadOnlyList<NetworkAclEntry> Entries, AclAction Default)
{
    // Entries by family, longest prefix first (a stable sort keeps the first of equal prefixes):
    // the first that contains an address is the longest match. Checked on every request of a
    // filtered user or escaper, so one pass over an array and no enumerator.
    private readonly NetworkAclEntry[] _v4 = ByPrefix(Entries, System.Net.Sockets.AddressFamily.InterNetwork);
    private readonly NetworkAclEntry[] _v6 = ByPrefix(Entries, System.Net.Sockets.AddressFamily.InterNetworkV6);

    public IReadOnlyList<NetworkAclEntry> Entries
    {
        get;
        init
        {
            field = value;
            _v4 = ByPrefix(value, System.Net.Sockets.AddressFamily.InterNetwork);
            _v6 = ByPrefix(value, System.Net.Sockets.AddressFamily.InterNetworkV6);
        }
    } = Entries;

    public AclAction Check(IPAddress ip) => TryMatch(ip, out var action) ? action : Default;

    /// <summary>The action of the longest prefix holding <paramref name="ip"/>; false when none does.</summary>
    public bool TryMatch(IPAddress ip, out AclAction action)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        foreach (var e in ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? _v4 : _v6)
        {
            if (e.Network.Contains(ip))
            {
                action = e.Action;
                return true;
            }
        }
        action = Default;
        return false;
    }

    private static NetworkAclEntry[] ByPrefix(IReadOnlyList<NetworkAclEntry> entries, System.Net.Sockets.AddressFamily family) =>
        [.. entries.Where(e => e.Network.BaseAddress.AddressFamily == family).OrderByDescending(e => e.Network.PrefixLength)];

    // The lookup arrays follow from Entries: equality stays what it was (the entries and the default).
    public bool Equals(NetworkAclRule? other) =>
        other is not null && EqualityComparer<IReadOnlyList<NetworkAclEntry>>.Default.Equals(Entries, other.Entries) && Default == other.Default;

    public override int GetHashCode() => HashCode.Combine(Entries, Default);

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
