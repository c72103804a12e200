using System.Runtime.InteropServices;
using Proxy.Actors.Config;
using Proxy.Node;

// Socket continuations run on the epoll thread instead of hopping to the thread pool: ~40% less
// CPU per relayed GiB here (docs/perf.md). Nothing on the data plane blocks. Read once, when the
// first socket is made, so it is set before anything opens one; an operator's own value wins.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null) Environment.SetEnvironmentVariable(InlineCompletions, "1");

// The node handles SIGTERM itself (drain, then exit). System.CommandLine would otherwise take
// SIGTERM too and end the process two seconds later, cutting every running download.
return await NodeCommand.Build(RunAsync).Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunAsync(NodeOptions options, CancellationToken ct)
{
    if (options.TestOnly) return ConfigCheck.Run(options.ConfigPath, Console.Out, Console.Error);

    ProxyConfig config;
    try
    {
        config = ConfigLoader.Load(options.ConfigPath);
    }
    catch (Exception e) when (e is ConfigException or IOException)
    {
        await Console.Error.WriteLineAsync("error: " + e.Message);
        return 1;
    }
    foreach (var w in config.Warnings) await Console.Error.WriteLineAsync("warning: " + w);

    var term = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var kill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; term.TrySetResult(); });
    using var onIntr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; kill.TrySetResult(); });
    using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => { c.Cancel = true; kill.TrySetResult(); });

    var (old, startOptions) = await HotUpgrade.PrepareAsync(options, Console.Out, ct);
    NodeHost node;
    try
    {
        node = await NodeHost.StartAsync(config, startOptions, ct: ct);
    }
    catch (Exception e) when (e is InvalidOperationException or Akka.Configuration.ConfigurationException or IOException)
    {
        // Nothing was asked of the old process yet: it serves on.
        if (old is not null) await old.DisposeAsync();
        await Console.Error.WriteLineAsync("error: " + e.Message);
        return 1;
    }
    if (old is not null && await HotUpgrade.TakeOverAsync(node, old, Console.Out, ct) is { } takeOverError)
    {
        await Console.Error.WriteLineAsync("error: upgrade abandoned, the old process serves on: " + takeOverError);
        await node.KillAsync();
        return 1;
    }

    foreach (var server in config.Servers)
    {
        var where = node.Listening.TryGetValue(server.Name, out var eps) && eps.Count > 0
            ? string.Join(", ", eps) : "no listener (reached through other servers)";
        Console.WriteLine($"server '{server.Name}' ({server.TypeName}) listening on {where}");
    }
    Console.WriteLine($"control endpoint {node.ControlEndpoint} (pbm {node.ControlEndpoint} help)");
    if (node.ProcessSocket is { } own) Console.WriteLine($"process control socket {own} (pbm {own} process)");
    var region = options.Region ?? config.Cluster.Region;
    Console.WriteLine($"cluster member {node.ClusterAddress}" + (region is null ? "" : " region " + region));
    Console.Out.Flush();

    // SIGHUP reloads every object from the config files, as g3proxy does; the node keeps running.
    using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
    {
        c.Cancel = true;
        _ = Task.Run(async () => Console.WriteLine("SIGHUP: " + await node.ControlAsync(["reload"])), CancellationToken.None);
    });

    // SIGTERM is g3's graceful offline (pbm offline); SIGINT/SIGQUIT stop at once, also while draining.
    var ended = await Task.WhenAny(term.Task, kill.Task, node.ExitRequested);
    if (ended == term.Task)
    {
        Console.WriteLine("SIGTERM: " + await node.ControlAsync(["offline"]));
        ended = await Task.WhenAny(kill.Task, node.ExitRequested);
    }
    if (ended == kill.Task)
    {
        // At once means within a bound: a stop that hangs (the ActorSystems' shutdown waits on what they
        // run) must not keep the process up; what has not stopped by then ends with the process.
        var killDeadline = TimeSpan.FromSeconds(10);
        try
        {
            await node.KillAsync().WaitAsync(killDeadline, TimeProvider.System, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"stop: not stopped within {killDeadline.TotalSeconds:0} s; exiting anyway");
            Environment.Exit(0);
        }
        return 0;
    }
    Console.WriteLine("offline: drained, leaving the cluster");
    await node.DisposeAsync();
    return 0;
}
