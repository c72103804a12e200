namespace Proxy.Actors.Config.Values;

public enum ResolveQuery { Ipv4First, Ipv6First, Ipv4Only, Ipv6Only }
public enum ResolvePick { Random, First }

/// <summary>g3's <c>resolve_strategy</c>: which families to query and how to pick.</summary>
public sealed record ResolveStrategy(ResolveQuery Query = ResolveQuery.Ipv4First, ResolvePick Pick = ResolvePick.Random)
{
    public static readonly ResolveStrategy Default = new();

    /// <summary>
    /// g3's adjust_to: an escaper's strategy narrowed by a user's (or user site's). An escaper that
    /// queries one family only keeps it; otherwise the user's query applies. The pick is the user's.
    /// </summary>
    public ResolveStrategy AdjustTo(ResolveStrategy user) =>
        new(Query is ResolveQuery.Ipv4Only or ResolveQuery.Ipv6Only ? Query : user.Query, user.Pick);
}
