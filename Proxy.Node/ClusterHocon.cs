using Akka.Configuration;
using Proxy.Actors.Config.Values;

namespace Proxy.Node;

/// <summary>cluster.hocon plus what main.yml's <c>cluster:</c> section and the CLI say about this node.</summary>
public static class ClusterHocon
{
    public const string SystemName = "G3Actors";

    /// <summary>cluster.hocon at the checkout root, or next to the binary (it is copied there).</summary>
    public static string? FindDefault()
    {
        foreach (var dir in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var p = Path.Combine(dir, "cluster.hocon");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    public static Config Build(string? hoconPath, ClusterConfig cluster, NodeOptions cli)
    {
        var text = hoconPath is not null ? File.ReadAllText(hoconPath) : "akka.actor.provider = cluster";
        var baseConfig = ConfigurationFactory.ParseString(text);
        var port = cli.ClusterPort ?? cluster.Port;
        var seeds = (cli.Seeds.Count > 0 ? cli.Seeds : cluster.Seeds).Select(SeedAddress).ToList();
        var region = cli.Region ?? cluster.Region;
        var roles = cluster.Roles.ToList();
        if (region is not null) roles.Add("region-" + region);
        var overrides = $$"""
            akka.remote.dot-netty.tcp.hostname = "{{cluster.Hostname}}"
            akka.remote.dot-netty.tcp.port = {{port}}
            akka.cluster.seed-nodes = [{{string.Join(", ", seeds.Select(Quote))}}]
            akka.cluster.roles = [{{string.Join(", ", roles.Select(Quote))}}]
            """;
        return ConfigurationFactory.ParseString(overrides).WithFallback(baseConfig);
    }

    /// <summary>
    /// The servers' ActorSystem: the same settings without remoting or cluster (the roles stay, so
    /// the system's <see cref="Proxy.Actors.Cluster.ClusterView"/> knows the region).
    /// </summary>
    public static Config Local(Config clusterConfig) =>
        ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(clusterConfig);

    /// <summary><c>host:port</c> or a full <c>akka.tcp://G3Actors@host:port</c> address.</summary>
    public static string SeedAddress(string seed) =>
        seed.Contains("://", StringComparison.Ordinal) ? seed : $"akka.tcp://{SystemName}@{seed}";

    private static string Quote(string s) => "\"" + s.Replace("\"", "") + "\"";
}
