using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>RFC 8305 section 4 address ordering, as g3's happy eyeballs does it.</summary>
internal static class AddressOrder
{
    /// <summary>
    /// One family's answer as it enters the race: shuffled for <c>pick: Random</c> (so load
    /// spreads over the records), cut to max_tries addresses as g3 does per family.
    /// </summary>
    public static List<IPAddress> Prepare(IReadOnlyList<IPAddress> addresses, ResolvePick pick, int maxPerFamily)
    {
        var list = addresses.ToList();
        if (pick == ResolvePick.Random && list.Count > 1)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
            Random.Shared.Shuffle(span);
        }
        if (list.Count > maxPerFamily) list.RemoveRange(maxPerFamily, list.Count - maxPerFamily);
        return list;
    }

    /// <summary>
    /// Keeps the first <paramref name="keepFirst"/> of <paramref name="current"/> at the head
    /// (first_address_family_count minus what was already tried), then alternates families
    /// starting with <paramref name="other"/>.
    /// </summary>
    public static List<T> Interleave<T>(IReadOnlyList<T> current, IReadOnlyList<T> other, int keepFirst)
    {
        keepFirst = Math.Clamp(keepFirst, 0, current.Count);
        var result = new List<T>(current.Count + other.Count);
        for (var i = 0; i < keepFirst; i++) result.Add(current[i]);
        int a = keepFirst, b = 0;
        while (a < current.Count || b < other.Count)
        {
            if (b < other.Count) result.Add(other[b++]);
            if (a < current.Count) result.Add(current[a++]);
        }
        return result;
    }
}
