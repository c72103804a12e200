using Proxy.Tests.Node;

namespace Proxy.Tests.Integration;

/// <summary>
/// tcp_tproxy for real: a client, the node and an origin each in a network namespace the test
/// creates (veth pairs between them), an nftables TPROXY rule and fwmark routing in the node's
/// namespace, IP forwarding off there, so the client reaches the origin only through the node.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class TransparentProxyTests : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly TestCertificates _certs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("g3a-tproxy-").FullName;
    private string Client => "g3a-c-" + _id;
    private string NodeNs => "g3a-n-" + _id;
    private string Origin => "g3a-o-" + _id;

    /// <summary>Runs a bash script (namespace set-up); fails the test on a non-zero exit.</summary>
    internal static async Task<string> Sh(string script)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, script);
        try
        {
            var (code, stdout, stderr) = await HttpForwardTests.RunAsync("bash", path, 60_000);
            Assert.True(code == 0, $"failed (exit {code}): {stderr}\n{stdout}");
            return stdout;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private Task<string> SetUpNamespacesAsync()
    {
        var s = _id;
        return Sh($$"""
            set -ex
            ip netns add {{Client}}; ip netns add {{NodeNs}}; ip netns add {{Origin}}
            ip link add g3c{{s}} type veth peer name g3n{{s}}
            ip link set g3c{{s}} netns {{Client}}; ip link set g3n{{s}} netns {{NodeNs}}
            ip link add g3o{{s}} type veth peer name g3m{{s}}
            ip link set g3o{{s}} netns {{Origin}}; ip link set g3m{{s}} netns {{NodeNs}}
            for ns in {{Client}} {{NodeNs}} {{Origin}}; do ip -n $ns link set lo up; done
            ip -n {{Client}} addr add 10.77.0.1/24 dev g3c{{s}}; ip -n {{Client}} link set g3c{{s}} up
            ip -n {{Client}} route add default via 10.77.0.2
            ip -n {{NodeNs}} addr add 10.77.0.2/24 dev g3n{{s}}; ip -n {{NodeNs}} link set g3n{{s}} up
            ip -n {{NodeNs}} addr add 10.77.1.2/24 dev g3m{{s}}; ip -n {{NodeNs}} link set g3m{{s}} up
            ip netns exec {{NodeNs}} sysctl -qw net.ipv4.ip_forward=0
            ip -n {{Origin}} addr add 10.77.1.5/24 dev g3o{{s}}; ip -n {{Origin}} link set g3o{{s}} up
            ip -n {{Origin}} route add default via 10.77.1.2
            ip -n {{NodeNs}} rule add fwmark 1 lookup 100
            ip -n {{NodeNs}} route add local 0.0.0.0/0 dev lo table 100
            ip netns exec {{NodeNs}} nft -f - <<NFT
            table ip g3a {
              chain pre {
                type filter hook prerouting priority mangle; policy accept;
                iifname "g3n{{s}}" meta l4proto tcp ip daddr 10.77.1.5 tcp dport 4433 tproxy to :15001 meta mark set 1 accept
                iifname "g3n{{s}}" meta l4proto tcp ip daddr 10.77.1.5 tcp dport 8080 tproxy to :15001 meta mark set 1 accept
                iifname "g3n{{s}}" meta l4proto tcp ip daddr 10.77.1.6 tcp dport 4433 tproxy to :15002 meta mark set 1 accept
              }
            }
            NFT
            """);
    }

    [Fact]
    public async Task TcpTProxyToTheOriginalDestination_AndSniProxyWithListenTransparentToTheNamedHost()
    {
        await SetUpNamespacesAsync();
        var (cert, key) = _certs.Leaf("origin.test");
        await File.WriteAllTextAsync(Path.Combine(_dir, "origin.crt"), cert);
        await File.WriteAllTextAsync(Path.Combine(_dir, "origin.key"), key);
        var ca = Path.Combine(_dir, "ca.pem");
        await File.WriteAllTextAsync(ca, _certs.CaPem);
        var main = Path.Combine(_dir, "main.yml");
        await File.WriteAllTextAsync(main, StreamServerTests.WithServers("""
              - name: tproxy
                type: tcp_tproxy
                escaper: direct
                listen: 0.0.0.0:15001
                auditor: audit
              - name: sni
                type: sni_proxy
                escaper: direct
                listen: 0.0.0.0:15002
                listen_transparent: true
                allowed_hosts:
                  - exact_match: origin.test
                    redirect_host: 10.77.1.5
            auditor:
              - name: audit
            """).Replace("egress_network_filter: {default: allow, allow: [127.0.0.1, '::1']}", "egress_network_filter: {default: allow}"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "page.txt"), "plain page\n");

        using var origin = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip",
            $"netns exec {Origin} openssl s_server -accept 10.77.1.5:4433 -cert {_dir}/origin.crt -key {_dir}/origin.key -www")
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        // A plain HTTP origin beside the TLS one: the auditor's inspection reads what tcp_tproxy relays.
        using var plainOrigin = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip",
            $"netns exec {Origin} python3 -m http.server --bind 10.77.1.5 --directory {_dir} 8080")
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await using var node = NodeProcess.Start($"-c \"{main}\" --cluster-port 0", netns: NodeNs);
        try
        {
            await node.WaitForStdoutAsync("cluster member");
            // The origin's page over TLS, its certificate verified: the bytes went through unchanged.
            var page = "";
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!page.Contains("s_server") && DateTime.UtcNow < deadline)
            {
                var (code, stdout, _) = await HttpForwardTests.RunAsync("ip",
                    $"netns exec {Client} curl -sS --max-time 5 --cacert {ca} --resolve origin.test:4433:10.77.1.5 https://origin.test:4433/", 30_000);
                page = code == 0 ? stdout : "";
                if (page.Length == 0) await Task.Delay(200);
            }
            Assert.Contains("s_server", page);
            await node.WaitForStdoutAsync("server_type=TcpTProxy");
            var log = node.Stdout.Split('\n').First(l => l.Contains("server_type=TcpTProxy"));
            Assert.Contains("upstream=10.77.1.5:4433", log);
            Assert.Contains("client_addr=10.77.0.1:", log);

            // sni_proxy on a transparent listener: a connection to an address nobody has (10.77.1.6)
            // is taken, and goes where its SNI says (allowed_hosts maps origin.test to the origin).
            var (sniCode, sniPage, sniErr) = await HttpForwardTests.RunAsync("ip",
                $"netns exec {Client} curl -sS --max-time 10 --cacert {ca} --resolve origin.test:4433:10.77.1.6 https://origin.test:4433/", 30_000);
            Assert.True(sniCode == 0 && sniPage.Contains("s_server"), sniErr);
            await node.WaitForStdoutAsync("server_type=SniProxy");
            var sniLog = node.Stdout.Split('\n').First(l => l.Contains("server_type=SniProxy"));
            Assert.Contains("upstream=10.77.1.5:4433", sniLog);
            Assert.Contains("server_addr=10.77.1.6:4433", sniLog);

            // tcp_tproxy with an auditor: plain HTTP to the original destination is inspected and logged.
            var plain = "";
            deadline = DateTime.UtcNow.AddSeconds(20);
            while (!plain.Contains("plain page") && DateTime.UtcNow < deadline)
            {
                var (code, stdout, _) = await HttpForwardTests.RunAsync("ip",
                    $"netns exec {Client} curl -sS --max-time 5 http://10.77.1.5:8080/page.txt", 30_000);
                plain = code == 0 ? stdout : "";
                if (plain.Length == 0) await Task.Delay(200);
            }
            Assert.Equal("plain page\n", plain);
            await node.WaitForStdoutAsync("intercept_type=HttpForward");
            var intercept = node.Stdout.Split('\n').First(l => l.Contains("intercept_type=HttpForward"));
            Assert.Contains("auditor_name=audit", intercept);
            Assert.Contains("page.txt", intercept);
            Assert.Contains("rsp_status=200", intercept);
            // the record belongs to the tcp_tproxy task that went to the original destination
            var taskId = System.Text.RegularExpressions.Regex.Match(intercept, "task_id=([0-9a-f]+)").Groups[1].Value;
            await node.WaitForStdoutAsync($"task_id={taskId} task_event=Finished");
            var plainTask = node.Stdout.Split('\n').First(l => l.Contains("log_type=Task") && l.Contains($"task_id={taskId}"));
            Assert.Contains("server_type=TcpTProxy", plainTask);
            Assert.Contains("upstream=10.77.1.5:8080", plainTask);
        }
        finally
        {
            if (!origin.HasExited) origin.Kill(true);
            if (!plainOrigin.HasExited) plainOrigin.Kill(true);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Deleting the namespaces removes their veths, addresses, routes and rules too.
        await HttpForwardTests.RunAsync("bash", $"-c \"ip netns del {Client}; ip netns del {NodeNs}; ip netns del {Origin}; true\"", 30_000);
        _certs.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
