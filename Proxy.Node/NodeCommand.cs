using System.CommandLine;

namespace Proxy.Node;

/// <summary>The node's command line (System.CommandLine).</summary>
public static class NodeCommand
{
    public static RootCommand Build(Func<NodeOptions, CancellationToken, Task<int>> run)
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "main config file (g3proxy main.yml schema), or a directory holding main.yml/g3proxy.yaml",
            DefaultValueFactory = _ => "deploy/main.yml",
        };
        var test = new Option<bool>("--test-config", "-t") { Description = "validate the config, print OK or the errors, exit 0/1" };
        var control = new Option<string?>("--control") { Description = "control (pbm) endpoint HOST:PORT (default 127.0.0.1:9110)" };
        var hocon = new Option<string?>("--hocon") { Description = "Akka settings file (default: cluster.hocon in the working directory or next to the binary)" };
        var clusterPort = new Option<int?>("--cluster-port") { Description = "cluster (remoting) port; 0 picks a free one" };
        var seed = new Option<string[]>("--seed")
        {
            Description = "seed node HOST:PORT or akka.tcp://G3Actors@HOST:PORT (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var region = new Option<string?>("--region") { Description = "this node's region (cluster role region-NAME)" };
        var group = new Option<string>("--group-name", "-G")
        {
            Description = "daemon group (as g3proxy -G): names this process's control socket <control-dir>/<group>_<pid>.sock",
            DefaultValueFactory = _ => "",
        };
        var controlDir = new Option<string>("--control-dir", "-C")
        {
            Description = "directory of the per-process control sockets (default: $RUNTIME_DIRECTORY, else /run/g3actors if it exists, else /tmp/g3actors)",
            DefaultValueFactory = _ => Proxy.Control.Host.ProcessSocket.DefaultDirectory(),
        };
        var upgrade = new Option<bool>("--upgrade")
        {
            Description = "hot upgrade: start beside the group's running process (same ports, SO_REUSEPORT), take over its control endpoint and send it offline; without one, start normally",
        };

        var root = new RootCommand("G3Actors proxy node: g3proxy configs on an Akka.NET cluster")
        {
            config, test, control, hocon, clusterPort, seed, region, group, controlDir, upgrade,
        };
        root.Subcommands.Add(CertGenCommand.Build());
        root.Subcommands.Add(GenTokenCommand.Build());
        foreach (var o in root.Options)
            if (o is VersionOption v) v.Aliases.Add("-V");

        root.SetAction((parse, ct) => run(new NodeOptions
        {
            ConfigPath = parse.GetValue(config)!,
            TestOnly = parse.GetValue(test),
            Control = parse.GetValue(control),
            HoconPath = parse.GetValue(hocon),
            ClusterPort = parse.GetValue(clusterPort),
            Seeds = parse.GetValue(seed) ?? [],
            Region = parse.GetValue(region),
            GroupName = parse.GetValue(group)!,
            ControlDir = parse.GetValue(controlDir),
            Upgrade = parse.GetValue(upgrade),
        }, ct));
        return root;
    }
}
