namespace Proxy.Actors.Config.Values;

/// <summary>g3's <c>stat</c> section (StatsD). Parsed now; the emitter comes with its own issue.</summary>
public sealed record StatConfig
{
    public string? TargetUdp { get; init; }
    public string? TargetUnix { get; init; }
    public string Prefix { get; init; } = "g3proxy";
    public TimeSpan EmitInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}
