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
    /// <summary>g3's daemon group (<c>-G</c>): names this process's own control socket.</summary>
    public string GroupName { get; init; } = "";
    /// <summary>Where this process's own control socket goes (<c>-C</c>); null: no socket of its own (in-process tests).</summary>
    public string? ControlDir { get; init; }
    /// <summary><c>--upgrade</c>: take over from the group's running process (docs/control.md, hot upgrade).</summary>
    public bool Upgrade { get; init; }
    /// <summary>Set during a hot upgrade: the shared control endpoint is bound later, once the old process released it.</summary>
    public bool DeferControl { get; init; }
    /// <summary>Set during a hot upgrade without seeds: the old process's cluster address, joined instead of forming a cluster alone.</summary>
    public string? JoinAddress { get; init; }
}
