namespace Proxy.Actors.Resolvers.Cache;

/// <summary>
/// g3's cache lifetime rule (reference section 3). An entry is fresh until <c>Expire</c>;
/// between <c>Expire</c> and <c>Vanish</c> it is still served while a refresh runs, so a
/// popular name never makes a client wait for DNS; after <c>Vanish</c> it is gone.
/// </summary>
internal sealed record CacheTtlPolicy(int PositiveMinTtl, int PositiveMaxTtl, int NegativeMinTtl)
{
    public (TimeSpan Expire, TimeSpan Vanish) ForPositive(uint recordTtl)
    {
        long ttl = recordTtl, min = Math.Max(0, PositiveMinTtl), max = Math.Max(0, PositiveMaxTtl);
        (long expire, long vanish) =
            ttl > max + min ? (max, ttl)
            : ttl > 2 * min ? (ttl - min, ttl)
            : ttl > min ? (min, ttl)
            : (min, min + 1);
        return (TimeSpan.FromSeconds(expire), TimeSpan.FromSeconds(vanish));
    }

    /// <summary>Failures are not served stale: they simply live negative_min_ttl.</summary>
    public (TimeSpan Expire, TimeSpan Vanish) ForNegative()
    {
        var ttl = TimeSpan.FromSeconds(Math.Max(0, NegativeMinTtl));
        return (ttl, ttl);
    }
}
