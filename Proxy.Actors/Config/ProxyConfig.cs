using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config;

/// <summary>The whole node configuration: g3proxy's main.yml plus the G3Actors-only sections.</summary>
public sealed record ProxyConfig
{
    public required string MainFile { get; init; }
    public RuntimeConfig Runtime { get; init; } = new();
    public LogConfig Log { get; init; } = new();
    public StatConfig? Stat { get; init; }
    public ControlConfig Control { get; init; } = new();
    public ClusterConfig Cluster { get; init; } = new();
    public IReadOnlyList<ServerConfig> Servers { get; init; } = [];
    public IReadOnlyList<EscaperConfig> Escapers { get; init; } = [];
    public IReadOnlyList<ResolverConfig> Resolvers { get; init; } = [];
    public IReadOnlyList<AuditorConfig> Auditors { get; init; } = [];
    public IReadOnlyList<UserGroupConfig> UserGroups { get; init; } = [];
    /// <summary>Dangling references and keys accepted without effect; <c>-t</c> prints them.</summary>
    public IReadOnlyList<ConfigError> Warnings { get; init; } = [];
}
