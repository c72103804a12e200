namespace Proxy.Actors.Config.Values;

/// <summary>G3Actors-only <c>cluster:</c> section. CLI flags override each field.</summary>
public sealed record ClusterConfig
{
    public string? Region { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public string Hostname { get; init; } = "127.0.0.1";
    public int Port { get; init; }
    public IReadOnlyList<string> AdvertisedRelays { get; init; } = [];
}
