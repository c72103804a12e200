using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Proxy.Tests.Config;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Node;

/// <summary>The node as operators run it: a process with flags, signals and g3proxy example configs.</summary>
[Collection(NodeCollection.Name)]
public sealed class NodeCliTests
{
    /// <summary>A main.yml in a fresh folder of its own (left for the OS to clean: a node may still hold it).</summary>
    private static async Task<string> WriteMainAsync(string yaml)
    {
        var main = Path.Combine(Directory.CreateTempSubdirectory("g3a-cli-").FullName, "main.yml");
        await File.WriteAllTextAsync(main, yaml);
        return main;
    }

    [Fact]
    public async Task TestFlag_OnDefaultConfig_PrintsOk()
    {
        var (code, stdout, stderr) = await NodeProcess.RunAsync($"-t -c \"{Path.Combine(Path.GetDirectoryName(NodeProcess.Dll)!, "deploy", "main.yml")}\"");
        Assert.True(code == 0, stderr);
        Assert.Contains("OK", stdout);
    }

    [Fact]
    public async Task TestFlag_OnBadConfig_NamesFileLineEntryKey_Exit1()
    {
        var main = await WriteMainAsync("escaper:\n  - name: float\n    type: direct_fixed\n    resolver: default\n    bind_iq: 1.2.3.4\n");

        var (code, _, stderr) = await NodeProcess.RunAsync($"-t -c \"{main}\"");

        Assert.Equal(1, code);
        Assert.Contains("main.yml:5", stderr);
        Assert.Contains("escaper 'float'", stderr);
        Assert.Contains("bind_iq", stderr);
    }

    [Fact]
    public async Task TestFlag_ListsDanglingReferenceWarnings()
    {
        var main = await WriteMainAsync("server:\n  - name: http\n    type: http_proxy\n    escaper: nowhere\n    listen: 127.0.0.1:0\n");

        var (code, stdout, _) = await NodeProcess.RunAsync($"-t -c \"{main}\"");

        Assert.Equal(0, code);
        Assert.Contains("nowhere", stdout);
        Assert.Contains("dummy_deny", stdout);
    }

    public static TheoryData<string> Examples() => G3ExamplesTests.Examples();

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task TestFlag_OnG3Example_PassesOrNamesOnlyUnbuiltKeys(string example)
    {
        var dir = Path.Combine(G3ExamplesTests.FindExamplesRoot()!, example);

        var (code, stdout, stderr) = await NodeProcess.RunAsync($"-t -c \"{dir}\"");

        if (code == 0)
        {
            Assert.Contains("OK", stdout);
            return;
        }
        Assert.Equal(1, code);
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("not supported yet: ", e));
    }

    [Fact]
    public async Task Version_And_Help()
    {
        var (code, stdout, _) = await NodeProcess.RunAsync("-V");
        Assert.Equal(0, code);
        Assert.Matches(@"\d+\.\d+\.\d+", stdout);
        var help = await NodeProcess.RunAsync("-h");
        Assert.Equal(0, help.Code);
        foreach (var flag in new[] { "--config", "--control", "--hocon", "--cluster-port", "--seed", "--region" })
            Assert.Contains(flag, help.Stdout);
    }

    [Fact]
    public async Task Node_ServesProxy_ThenSigtermDrainsRunningTunnel()
    {
        await using var origin = await TestOrigin.StartAsync();
        var main = await WriteMainAsync(ProxyUnderTest.HttpProxyYaml());
        await using var node = NodeProcess.Start($"-c \"{main}\" --cluster-port 0 --region eu --control 127.0.0.1:0");

        var stdout = await node.WaitForStdoutAsync("cluster member");
        var port = int.Parse(Regex.Match(stdout, @"listening on 127\.0\.0\.1:(\d+)").Groups[1].Value);
        Assert.Contains("region eu", stdout);

        // A tunnel opened before SIGTERM keeps working while the node drains.
        using var tunnel = new TcpClient();
        await tunnel.ConnectAsync(IPAddress.Loopback, port);
        var stream = tunnel.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{origin.HttpPort} HTTP/1.1\r\n\r\n"));
        var buf = new byte[1024];
        var n = await stream.ReadAsync(buf);
        Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.ASCII.GetString(buf, 0, n));

        node.Signal(15);
        await node.WaitForStdoutAsync("SIGTERM");
        // New connections are refused once the listener is closed...
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var probe = new TcpClient();
            try { await probe.ConnectAsync(IPAddress.Loopback, port); }
            catch (SocketException) { break; }
            Assert.True(DateTime.UtcNow < deadline, "listener still accepting after SIGTERM");
            await Task.Delay(50);
        }
        // ...while the running tunnel still carries a request.
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        var reply = new MemoryStream();
        await stream.CopyToAsync(reply);
        Assert.Contains("hello", System.Text.Encoding.ASCII.GetString(reply.ToArray()));
        tunnel.Close();

        await node.WaitForExitAsync(30_000);
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("drained", node.Stdout);
    }

    [Fact]
    public async Task Node_Sigterm_LetsARunningForwardedDownloadFinish()
    {
        await using var origin = await TestOrigin.StartAsync();
        var main = await WriteMainAsync(ProxyUnderTest.HttpProxyYaml());
        await using var node = NodeProcess.Start($"-c \"{main}\" --cluster-port 0");
        var stdout = await node.WaitForStdoutAsync("cluster member");
        var port = int.Parse(Regex.Match(stdout, @"listening on 127\.0\.0\.1:(\d+)").Groups[1].Value);

        // 2 MiB in 64 KiB pieces, 250 ms apart: about 8 s, still running when the signal comes.
        const long size = 2 << 20;
        var file = Path.Combine(Path.GetTempPath(), "g3a-dl-" + Guid.NewGuid().ToString("N"));
        var download = HttpForwardTests.RunAsync("curl", $"-sS --max-time 60 -o {file} -w %{{http_code}} -x http://127.0.0.1:{port} {origin.Url($"/throttled/{size}/65536/250")}");
        var started = DateTime.UtcNow;
        while (!File.Exists(file) || new FileInfo(file).Length == 0)
        {
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the download never started");
            await Task.Delay(20);
        }

        node.Signal(15);
        await node.WaitForStdoutAsync("SIGTERM");

        var (code, httpCode, err) = await download;
        try
        {
            Assert.True(code == 0, err + "\n" + node.Stdout);
            Assert.Equal("200", httpCode);
            Assert.Equal(HttpForwardTests.Sha(TestOrigin.Pattern(size)), HttpForwardTests.Sha(await File.ReadAllBytesAsync(file)));
        }
        finally
        {
            File.Delete(file);
        }
        await node.WaitForExitAsync(30_000);
        Assert.Equal(0, node.ExitCode);
    }

    [Fact]
    public async Task Node_SigintStopsAtOnce()
    {
        var main = await WriteMainAsync(ProxyUnderTest.HttpProxyYaml());
        await using var node = NodeProcess.Start($"-c \"{main}\" --cluster-port 0 --control 127.0.0.1:0");
        await node.WaitForStdoutAsync("cluster member");

        node.Signal(2);

        await node.WaitForExitAsync(20_000);
        Assert.Equal(0, node.ExitCode);
        Assert.DoesNotContain("drained", node.Stdout);
    }

    [Fact]
    public async Task Node_BadConfig_RefusedBeforeAnythingStarts()
    {
        var main = await WriteMainAsync("server:\n  - name: a\n    type: http_proxy\n    escaper: d\n    listen: 127.0.0.1:0\n  - name: a\n    type: http_proxy\n    escaper: d\n");

        var (code, stdout, stderr) = await NodeProcess.RunAsync($"-c \"{main}\" --cluster-port 0");

        Assert.Equal(1, code);
        Assert.Contains("duplicate", stderr);
        Assert.DoesNotContain("listening", stdout);
    }
}
