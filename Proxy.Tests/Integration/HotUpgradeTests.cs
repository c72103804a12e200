using System.Text.RegularExpressions;
using Proxy.Tests.Node;
using Proxy.Tests.Resolvers;
using Xunit.Abstractions;

namespace Proxy.Tests.Integration;

/// <summary>
/// Hot upgrade for real: in a network namespace the test creates (its own loopback, so the fixed
/// ports and the default control endpoint 127.0.0.1:9110 are free; net.ipv4.tcp_migrate_req=1 there,
/// as docs/control.md tells operators), an origin and a node; a curl loop opens a new proxy
/// connection per request while a second node started with --upgrade takes over.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed partial class HotUpgradeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ProxyPort = 13128;
    private const int OriginPort = 18080;
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly string _dir = Directory.CreateTempSubdirectory("g3a-upgrade-").FullName;
    private string Ns => "g3a-u-" + _id;

    [Fact]
    public async Task Upgrade_UnderACurlLoop_FailsNoRequest_OldProcessExits_NewOneServesAndHoldsTheControlEndpoint()
    {
        await Sh($"""
            set -e
            ip netns add {Ns}
            ip -n {Ns} link set lo up
            ip netns exec {Ns} sysctl -qw net.ipv4.tcp_migrate_req=1
            """);
        var www = Directory.CreateDirectory(Path.Combine(_dir, "www")).FullName;
        await File.WriteAllTextAsync(Path.Combine(www, "hello.txt"), "hello through the proxy\n");
        var main = Path.Combine(_dir, "main.yml");
        await File.WriteAllTextAsync(main, ProxyUnderTest.HttpProxyYaml().Replace("listen: 127.0.0.1:0", $"listen: 127.0.0.1:{ProxyPort}") + """

            runtime:
              server_offline_delay: 1s
              task_wait_timeout: 20s
              task_quit_timeout: 5s
            """);
        var controlDir = Directory.CreateDirectory(Path.Combine(_dir, "run")).FullName;
        var args = $"-c \"{main}\" -C \"{controlDir}\" -G upg";

        using var origin = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip",
            $"netns exec {Ns} python3 -m http.server {OriginPort} --bind 127.0.0.1 --directory {www}")
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await using var old = NodeProcess.Start(args, netns: Ns);
        NodeProcess? next = null;
        try
        {
            await old.WaitForStdoutAsync("cluster member");
            var stop = Path.Combine(_dir, "stop");
            var script = Path.Combine(_dir, "curl-loop.sh");
            await File.WriteAllTextAsync(script, CurlLoop(stop));
            var loop = Task.Run(() => HttpForwardTests.RunAsync("ip", $"netns exec {Ns} bash {script}", 150_000));

            // Some requests through the old process first, then the new one starts beside it.
            Assert.True(await Eventually.True(() => Served(old) >= 30 || loop.IsCompleted, TimeSpan.FromSeconds(60)),
                "the old process served no requests:\n" + old.Stdout + old.Stderr);
            next = NodeProcess.Start(args + " --upgrade", netns: Ns);
            await next.WaitForStdoutAsync("upgrade confirmed", 90_000);
            Assert.Contains($"upgrade: taking over from pid {old.Pid}", next.Stdout);

            await old.WaitForExitAsync(60_000);
            var servedByNew = Served(next);
            Assert.True(await Eventually.True(() => Served(next) >= servedByNew + 30 || loop.IsCompleted, TimeSpan.FromSeconds(60)),
                "the new process serves no requests after the old one exited:\n" + next.Stdout + next.Stderr);
            await File.WriteAllTextAsync(stop, "");
            var (code, counts, failures) = await loop.WaitAsync(TimeSpan.FromSeconds(90));

            var match = Counts().Match(counts);
            Assert.True(code == 0 && match.Success, $"curl loop: exit {code}\n{counts}\n{failures}");
            var (ok, failed) = (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
            output.WriteLine($"requests: {ok} ok, {failed} failed; served by old pid {old.Pid}: {Served(old)}, by new pid {next.Pid}: {Served(next)}");
            Assert.True(failed == 0, $"{failed} failed requests:\n{failures}");
            Assert.Equal(0, old.ExitCode);
            Assert.True(Served(old) > 0 && Served(next) > 0);

            // The shared control endpoint is the new process's now.
            var control = await Sh($$"""
                ip netns exec {{Ns}} bash -c 'exec 3<>/dev/tcp/127.0.0.1/9110
                printf "%s\n%s\n" "{\"type\":\"hello\",\"version\":1}" "{\"type\":\"request\",\"id\":1,\"words\":[\"process\"]}" >&3
                timeout 10 head -n 2 <&3'
                """);
            Assert.Contains($"pid: {next.Pid}", control);
            Assert.False(File.Exists(Path.Combine(controlDir, $"upg_{old.Pid}.sock")), "the old process left its control socket behind");
        }
        finally
        {
            if (next is not null) await next.DisposeAsync();
            if (!origin.HasExited) origin.Kill(true);
        }
    }

    /// <summary>One curl per request (a new connection each), bounded in count and time; prints ok=N fail=M.</summary>
    private static string CurlLoop(string stop) => $$"""
        ok=0; fail=0; i=0; end=$((SECONDS+120))
        while [ $i -lt 3000 ] && [ $SECONDS -lt $end ] && [ ! -e {{stop}} ]; do
          i=$((i+1))
          code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -x http://127.0.0.1:{{ProxyPort}} http://127.0.0.1:{{OriginPort}}/hello.txt)
          if [ "$code" = 200 ]; then ok=$((ok+1)); else fail=$((fail+1)); echo "request $i: $code" >&2; fi
        done
        echo ok=$ok fail=$fail
        """;

    /// <summary>Requests a process finished, from its task log (log: stdout).</summary>
    private static int Served(NodeProcess node) => Regex.Count(node.Stdout, "server_type=HttpProxy");

    [GeneratedRegex(@"ok=(\d+) fail=(\d+)")]
    private static partial Regex Counts();

    private static Task<string> Sh(string script) => TransparentProxyTests.Sh(script);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await HttpForwardTests.RunAsync("bash", $"-c \"ip netns del {Ns}; true\"", 30_000);
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
