using System.Text.RegularExpressions;
using Proxy.Tests.Control;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Node;

/// <summary>SIGHUP reloads the whole node from its files, as g3proxy's does; pbm offline makes the process exit 0.</summary>
[Collection(NodeCollection.Name)]
public sealed class NodeSignalReloadTests
{
    [Fact]
    public async Task Sighup_ReloadsFromTheFiles_ThenPbmOfflineEndsTheProcess()
    {
        using var dir = new Config.TempConfigDir();
        var main = dir.Write("main.yml", ProxyUnderTest.HttpProxyYaml() + "\nruntime: {server_offline_delay: 100ms}\n");
        await using var node = NodeProcess.Start($"-c \"{main}\" --cluster-port 0 --control 127.0.0.1:0");
        var stdout = await node.WaitForStdoutAsync("cluster member");
        var control = Regex.Match(stdout, @"control endpoint (\S+)").Groups[1].Value;

        var withSpare = ProxyUnderTest.HttpProxyYaml().Replace("server:\n  - name: http", "  - name: spare\n    type: dummy_deny\nserver:\n  - name: http");
        Assert.Contains("name: spare", withSpare);
        dir.Write("main.yml", withSpare + "\nruntime: {server_offline_delay: 100ms}\n");
        node.Signal(1);
        await node.WaitForStdoutAsync("SIGHUP: ");
        await node.WaitForStdoutAsync("notice: node reloaded");
        var escapers = await PbmRun.RunRawAsync(control, "list", "escaper");
        Assert.Equal(["direct", "spare"], escapers.Lines);

        Assert.Equal(0, (await PbmRun.RunRawAsync(control, "offline")).Code);
        await node.WaitForExitAsync(30_000);
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("offline: drained, leaving the cluster", node.Stdout);
    }

    [Fact]
    public async Task Pbm_And_Node_PrintHelp()
    {
        var pbm = await PbmRun.RunRawAsync("--help");
        Assert.Equal(0, pbm.Code);
        foreach (var flag in new[] { "--token", "--tls", "--ca", "--insecure", "HOST:PORT" }) Assert.Contains(flag, pbm.Out);
        var node = await NodeProcess.RunAsync("--help");
        Assert.Equal(0, node.Code);
        Assert.Contains("--control", node.Stdout);
    }
}
