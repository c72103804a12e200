namespace Proxy.Actors.Config.Values;

public enum LogDriver { Discard, Stdout }

/// <summary>g3's <c>log</c> section: a driver per log type (task, escape, resolve, audit).</summary>
public sealed record LogConfig
{
    public LogDriver Default { get; init; } = LogDriver.Discard;
    public LogDriver Task { get; init; } = LogDriver.Discard;
    public LogDriver Escape { get; init; } = LogDriver.Discard;
    public LogDriver Resolve { get; init; } = LogDriver.Discard;
    public LogDriver Audit { get; init; } = LogDriver.Discard;
}
