namespace Proxy.Actors.Users;

/// <summary>
/// Hands out the small numbers that stand for a group's users while the group lives: a reloaded user keeps
/// its number (<see cref="User.Rebuild"/>), a new one takes the next. A connection marks the users it has
/// seen in a bit set indexed by them (<see cref="Servers.HttpCommon.SeenUsers"/>) instead of a set of names.
/// </summary>
public sealed class UserOrdinals
{
    private int _last = -1;

    public int Next() => Interlocked.Increment(ref _last);
}
