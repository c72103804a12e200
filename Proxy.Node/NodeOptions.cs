namespace Proxy.Node;

/// <summary>The node's command line, parsed. Cluster flags override main.yml's <c>cluster:</c> section.</summary>
public sealed record NodeOptions
{
    public string ConfigPath { get; init; } = "deploy/main.yml";
    public bool TestOnly { get; init; }
    public string? Control { get; init; }
    public string? HoconPath { get; init; }
    public int? ClusterPort { get; init; }
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public string? Region { get; init; }
    /// <summary>How long <c>--cluster</c> waits for each member (default 15 s; tests shorten it).</summary>
    public TimeSpan? FanOutTimeout { get; init; }
}
