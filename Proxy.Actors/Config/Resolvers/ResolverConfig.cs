namespace Proxy.Actors.Config.Resolvers;

/// <summary>Keys every g3 resolver shares (reference section 3).</summary>
public abstract record ResolverConfig
{
    public required string Name { get; init; }
    public required ConfigPosition Position { get; init; }
    public abstract string TypeName { get; }
    public TimeSpan GracefulStopWait { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ProtectiveQueryTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int PositiveMinTtl { get; init; } = 30;
    public int PositiveMaxTtl { get; init; } = 3600;
    public int NegativeMinTtl { get; init; } = 30;
}

/// <summary>g3's <c>deny_all</c>; also what a dangling resolver name resolves to.</summary>
public sealed record DenyAllResolverConfig : ResolverConfig
{
    public override string TypeName => "DenyAll";
}
