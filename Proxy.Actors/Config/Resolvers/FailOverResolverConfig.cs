namespace Proxy.Actors.Config.Resolvers;

/// <summary>g3's <c>fail_over</c>: asks <see cref="Primary"/> and <see cref="Standby"/> at once and picks as g3 does.</summary>
public sealed record FailOverResolverConfig : ResolverConfig
{
    public override string TypeName => "fail_over";
    public string Primary { get; init; } = "";
    public string Standby { get; init; } = "";
    /// <summary>How long a success of the primary is waited for before the standby's may win.</summary>
    public TimeSpan FallbackDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>When set, a primary answer with no address counts as a failure and the standby's is used.</summary>
    public bool RetryEmptyRecord { get; init; }
}
