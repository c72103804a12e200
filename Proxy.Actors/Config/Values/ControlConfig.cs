namespace Proxy.Actors.Config.Values;

/// <summary>G3Actors-only <c>control:</c> section: where the pbm endpoint listens.</summary>
public sealed record ControlConfig
{
    public string Listen { get; init; } = "127.0.0.1:9110";
    public string? Token { get; init; }
}
