using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>
/// The users that have had a request on one client connection (g3's passed_users): the first request of
/// each counts the user's client connection. A bit per user number, so with many users taking turns on a
/// connection a request touches one word of it, not a hash set's bucket and entry; a user without a number
/// (an LDAP unmanaged user) or with a very large one is remembered by name.
/// </summary>
internal sealed class SeenUsers
{
    // Numbers are never reused, so a source that keeps making new users makes ever larger ones: beyond this
    // a user is remembered by name, and a connection's bits stay within 8 KiB.
    internal const int MaxNumbered = 1 << 16;

    private UserOrdinals? _space;
    private ulong[] _bits = [];
    private HashSet<string>? _names;

    /// <summary>How many 64-bit words the bit set holds now.</summary>
    internal int Words => _bits.Length;

    /// <summary>True on the user's first request on the connection.</summary>
    public bool FirstTime(User user)
    {
        if (user.Ordinal is < 0 or >= MaxNumbered || user.OrdinalSpace is not { } space) return (_names ??= new(StringComparer.Ordinal)).Add(user.Name);
        if (!ReferenceEquals(space, _space))
        {
            // another group's numbers (the server's user_group changed): they say nothing about these
            _space = space;
            _bits = [];
        }
        var word = user.Ordinal >> 6;
        if (word >= _bits.Length) Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        var bit = 1UL << (user.Ordinal & 63);
        if ((_bits[word] & bit) != 0) return false;
        _bits[word] |= bit;
        return true;
    }
}
