namespace Proxy.Actors.Config.Values;

public enum ResolveQuery { Ipv4First, Ipv6First, Ipv4Only, Ipv6Only }
public enum ResolvePick { Random, First }

/// <summary>g3's <c>resolve_strategy</c>: which families to query and how to pick.</summary>
public sealed record ResolveStrategy(ResolveQuery Query = ResolveQuery.Ipv4First, ResolvePick Pick = ResolvePick.Random)
{
    public static readonly ResolveStrategy Default = new();
}
