using System.Numerics;

namespace Proxy.Actors.Users;

/// <summary>
/// Name to user for the request path: an open-addressed table whose slots hold each name's hash next to
/// its user, so a lookup reads one slot and then the user, whose own copy of its name (made with it, so
/// next to it) is compared. A FrozenDictionary reads a bucket, a hash code, the key array, the key and the
/// value array before it reaches the user: with many users taking turns each of those is a cache miss, one
/// after the other. Immutable once built; the first user of a name wins.
/// </summary>
internal sealed class UserNameIndex
{
    // a power of two in size, at most half full, so a probe ends within a few slots
    private readonly Slot[] _slots;
    private readonly int _mask;

    public UserNameIndex(IReadOnlyCollection<User> users)
    {
        _slots = new Slot[BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, 2 * users.Count))];
        _mask = _slots.Length - 1;
        foreach (var user in users)
        {
            var hash = Hash(user.Name);
            var i = hash & _mask;
            while (_slots[i].User is { } taken && taken.Name != user.Name) i = (i + 1) & _mask;
            if (_slots[i].User is null) _slots[i] = new Slot(user, hash);
        }
    }

    public User? Find(ReadOnlySpan<char> name)
    {
        var hash = Hash(name);
        for (var i = hash & _mask; ; i = (i + 1) & _mask)
        {
            var slot = _slots[i];
            if (slot.User is not { } user) return null;
            if (slot.Hash == hash && name.SequenceEqual(user.Name)) return user;
        }
    }

    // randomized per process (Marvin), so names chosen by a user source cannot be made to collide
    private static int Hash(ReadOnlySpan<char> name) => string.GetHashCode(name) & int.MaxValue;

    private readonly record struct Slot(User? User, int Hash);
}
