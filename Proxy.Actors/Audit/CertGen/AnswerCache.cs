using System.Security.Cryptography;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Actors.Audit.CertGen;

/// <summary>
/// The generator's own cache: a repeated request for the same host (and the same mimic certificate)
/// gets the leaf already minted while it has TTL left, with the TTL that remains. Bounded: the oldest
/// entry goes first.
/// </summary>
internal sealed class AnswerCache(int capacity, TimeProvider time)
{
    private readonly record struct Key(CertCacheKey Index, string MimicHash);
    private sealed record Entry(CertGenResponse Response, DateTimeOffset ExpiresAt);

    private readonly Lock _lock = new();
    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly Queue<Key> _order = new();

    public CertGenResponse? Get(CertGenRequest request)
    {
        var key = KeyOf(request);
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var e)) return null;
            var left = e.ExpiresAt - time.GetUtcNow();
            if (left <= TimeSpan.Zero) return null;
            return e.Response with { Ttl = (uint)Math.Ceiling(left.TotalSeconds) };
        }
    }

    public void Put(CertGenRequest request, CertGenResponse response)
    {
        if (response.Ttl == 0) return;
        var key = KeyOf(request);
        lock (_lock)
        {
            if (!_entries.ContainsKey(key)) _order.Enqueue(key);
            _entries[key] = new Entry(response, time.GetUtcNow().AddSeconds(response.Ttl));
            while (_entries.Count > capacity && _order.TryDequeue(out var old)) _entries.Remove(old);
        }
    }

    private static Key KeyOf(CertGenRequest r) =>
        new(r.Key, r.MimicCertDer is { } der ? Convert.ToHexString(SHA256.HashData(der)) : "");
}
