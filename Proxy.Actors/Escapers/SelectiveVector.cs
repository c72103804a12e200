using System.Text;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers;

/// <summary>
/// g3's selective vector: weighted items, heaviest first (config order kept among equals), and a
/// pick by one of g3's policies. The hash policies take a key (each user of the vector says what
/// the key is) so the same key keeps landing on the same item. Immutable but for the round-robin
/// cursor; thread-safe.
/// </summary>
/// <remarks>
/// The hash functions are G3Actors' own (FNV-1a), so a key maps to the same item on every
/// G3Actors node but not necessarily to the one g3 would pick.
/// </remarks>
internal sealed class SelectiveVector<T>
{
    private const int KetamaPointsPerWeight = 160;
    private readonly Weighted<T>[] _items;
    private readonly string[] _ids;
    private readonly bool _weighted;
    private readonly double _totalWeight;
    private readonly (uint Hash, int Index)[] _ring;
    private int _rr = -1;

    /// <param name="id">The identity hashed for ketama and rendezvous (a name, an address).</param>
    public SelectiveVector(IEnumerable<Weighted<T>> items, Func<T, string> id)
    {
        _items = items.Select((w, i) => (w, i)).OrderByDescending(x => x.w.Weight).ThenBy(x => x.i).Select(x => x.w).ToArray();
        if (_items.Length == 0) throw new ArgumentException("a selective vector needs at least one item", nameof(items));
        _ids = _items.Select(w => id(w.Value)).ToArray();
        _weighted = _items.Any(w => w.Weight != _items[0].Weight);
        _totalWeight = _items.Sum(w => w.Weight);
        _ring = BuildRing();
    }

    public int Count => _items.Length;
    public IReadOnlyList<Weighted<T>> Items => _items;

    public T Pick(SelectivePickPolicy policy, string key) => policy switch
    {
        SelectivePickPolicy.Serial => _items[0].Value,
        SelectivePickPolicy.RoundRobin => _items[(int)((uint)Interlocked.Increment(ref _rr) % (uint)_items.Length)].Value,
        SelectivePickPolicy.Ketama => PickKetama(key),
        SelectivePickPolicy.Rendezvous => PickRendezvous(key),
        SelectivePickPolicy.JumpHash => _items[JumpHash(Fnv64(key), _items.Length)].Value,
        _ => PickRandom(),
    };

    private T PickRandom()
    {
        if (_items.Length == 1) return _items[0].Value;
        if (!_weighted || _totalWeight <= 0) return _items[Random.Shared.Next(_items.Length)].Value;
        var r = Random.Shared.NextDouble() * _totalWeight;
        foreach (var item in _items)
        {
            if (r < item.Weight) return item.Value;
            r -= item.Weight;
        }
        return _items[^1].Value;
    }

    private (uint, int)[] BuildRing()
    {
        var ring = new List<(uint, int)>();
        for (var i = 0; i < _items.Length; i++)
        {
            var points = (int)Math.Ceiling(_items[i].Weight) * KetamaPointsPerWeight;
            for (var p = 0; p < points; p++) ring.Add((Fnv32(_ids[i] + "-" + p), i));
        }
        ring.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return ring.ToArray();
    }

    private T PickKetama(string key)
    {
        if (_ring.Length == 0) return _items[0].Value;
        var h = Fnv32(key);
        int lo = 0, hi = _ring.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_ring[mid].Hash < h) lo = mid + 1;
            else hi = mid;
        }
        return _items[_ring[lo == _ring.Length ? 0 : lo].Index].Value;
    }

    /// <summary>Weighted rendezvous: the highest -w/ln(u) over u = hash(id, key) in (0, 1).</summary>
    private T PickRendezvous(string key)
    {
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _items.Length; i++)
        {
            var u = ((Fnv64(_ids[i] + "\0" + key) >> 11) + 0.5) / (1UL << 53);
            var score = -_items[i].Weight / Math.Log(u);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }
        return _items[best].Value;
    }

    /// <summary>Lamping and Veach's jump consistent hash: a bucket in [0, buckets).</summary>
    internal static int JumpHash(ulong key, int buckets)
    {
        long b = -1, j = 0;
        while (j < buckets)
        {
            b = j;
            key = unchecked(key * 2862933555777941757UL + 1);
            j = (long)((b + 1) * ((double)(1L << 31) / ((key >> 33) + 1)));
        }
        return (int)b;
    }

    internal static uint Fnv32(string s)
    {
        var h = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(s)) h = unchecked((h ^ b) * 16777619u);
        return h;
    }

    internal static ulong Fnv64(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(s)) h = unchecked((h ^ b) * 1099511628211UL);
        return h;
    }
}
