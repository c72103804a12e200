using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Config.Acl;

public sealed record NetworkAclEntry(IPNetwork Network, AclAction Action);

/// <summary>
/// An IP network ACL (ingress/egress network filters, subnet_match): the longest
/// matching prefix decides, as g3's network table does; nothing matching means <see cref="Default"/>.
/// </summary>
public sealed record NetworkAclRule(IReadOnlyList<NetworkAclEntry> Entries, AclAction Default)
{
    // Entries by family as address/mask values in one array, longest prefix first (a stable sort keeps
    // the first of equal prefixes): the first that holds an address is the longest match. Checked on
    // every request of a filtered user or escaper, so one pass over contiguous memory, no objects.
    private readonly Net<uint>[] _v4 = V4(Entries);
    private readonly Net<UInt128>[] _v6 = V6(Entries);

    public IReadOnlyList<NetworkAclEntry> Entries
    {
        get;
        init
        {
            field = value;
            _v4 = V4(value);
            _v6 = V6(value);
        }
    } = Entries;

    public AclAction Check(IPAddress ip) => TryMatch(ip, out var action) ? action : Default;

    /// <summary>The action of the longest prefix holding <paramref name="ip"/>; false when none does.</summary>
    public bool TryMatch(IPAddress ip, out AclAction action)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out var n);
        if (n == 4)
        {
            var a = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            foreach (var e in _v4)
                if ((a & e.Mask) == e.Address) return Found(e.Action, out action);
        }
        else
        {
            var a = BinaryPrimitives.ReadUInt128BigEndian(bytes);
            foreach (var e in _v6)
                if ((a & e.Mask) == e.Address) return Found(e.Action, out action);
        }
        action = Default;
        return false;
    }

    private static bool Found(AclAction found, out AclAction action)
    {
        action = found;
        return true;
    }

    private readonly record struct Net<T>(T Address, T Mask, AclAction Action);

    private static Net<uint>[] V4(IReadOnlyList<NetworkAclEntry> entries) =>
    [
        .. ByPrefix(entries, AddressFamily.InterNetwork).Select(e =>
        {
            var mask = e.Network.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - e.Network.PrefixLength);
            return new Net<uint>(BinaryPrimitives.ReadUInt32BigEndian(e.Network.BaseAddress.GetAddressBytes()) & mask, mask, e.Action);
        }),
    ];

    private static Net<UInt128>[] V6(IReadOnlyList<NetworkAclEntry> entries) =>
    [
        .. ByPrefix(entries, AddressFamily.InterNetworkV6).Select(e =>
        {
            var mask = e.Network.PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - e.Network.PrefixLength);
            return new Net<UInt128>(BinaryPrimitives.ReadUInt128BigEndian(e.Network.BaseAddress.GetAddressBytes()) & mask, mask, e.Action);
        }),
    ];

    private static IEnumerable<NetworkAclEntry> ByPrefix(IReadOnlyList<NetworkAclEntry> entries, AddressFamily family) =>
        entries.Where(e => e.Network.BaseAddress.AddressFamily == family).OrderByDescending(e => e.Network.PrefixLength);

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
