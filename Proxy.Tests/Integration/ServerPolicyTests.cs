using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>Server-level policies an operator sets: who may connect, how fast a socket may go.</summary>
[Collection(NodeCollection.Name)]
public sealed class ServerPolicyTests
{
    [Fact]
    public async Task IngressFilter_DropsForbiddenClient_LoopbackAlwaysAdmitted()
    {
        await using var origin = await TestOrigin.StartAsync();
        // Only 10.0.0.0/8 is listed; g3 always admits 127.0.0.1 and ::1 on top.
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "ingress_network_filter: [10.0.0.0/8]"));

        // 127.0.0.2 is loopback too, but not in the builtin permits: its connection is dropped unanswered.
        using (var outsider = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            outsider.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            await outsider.ConnectAsync(proxy.Endpoint());
            await outsider.SendAsync(Encoding.ASCII.GetBytes($"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: x\r\n\r\n"));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int n;
            try { n = await outsider.ReceiveAsync(new byte[64], cts.Token); }
            catch (SocketException) { n = 0; }
            Assert.Equal(0, n);
        }
        Assert.Empty(origin.Seen);

        using var client = proxy.Client();
        Assert.Equal("hello", await client.GetStringAsync(origin.Url("/hello")));
    }

    [Fact]
    public async Task TcpSockSpeedLimit_ThrottlesForwardedDownload()
    {
        await using var origin = await TestOrigin.StartAsync();
        // g3's "100K": 100,000 bytes per 1024 ms slice, both ways.
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "tcp_sock_speed_limit: 100K"));
        using var client = proxy.Client();

        var sw = Stopwatch.StartNew();
        var body = await client.GetByteArrayAsync(origin.Url("/bytes/300000"));
        sw.Stop();

        Assert.Equal(TestOrigin.Pattern(300_000), body);
        // Three slices' worth of budget: at least two slice boundaries must pass.
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(1.8), $"took {sw.Elapsed.TotalSeconds:0.00}s");
    }

    [Fact]
    public async Task TcpSockSpeedLimit_ThrottlesConnectTunnel()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "tcp_sock_speed_limit: 100K"));
        var file = Path.Combine(Path.GetTempPath(), "g3a-sl-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sw = Stopwatch.StartNew();
            var (code, _, err) = await HttpForwardTests.RunAsync("curl", $"-sS --max-time 60 -p -x {proxy.ProxyUri()} -o {file} {origin.Url("/bytes/300000")}");
            sw.Stop();
            Assert.True(code == 0, err);
            Assert.Equal(300_000, new FileInfo(file).Length);
            Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(1.8), $"took {sw.Elapsed.TotalSeconds:0.00}s");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task IdleTunnel_ClosedAfterIdleChecks_BusyTransferIsNot()
    {
        await using var origin = await TestOrigin.StartAsync();
        // Checks every 2 s (g3's minimum), closing after 2 idle checks in a row.
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(
            serverExtra: "task_idle_check_interval: 2s\ntask_idle_max_count: 2\ntcp_sock_speed_limit: 100K"));

        // A throttled 900 KB download takes ~9 s, well past two check periods: it keeps moving, so it lives.
        using var client = proxy.Client();
        var body = await client.GetByteArrayAsync(origin.Url("/bytes/900000"));
        Assert.Equal(900_000, body.Length);

        // A tunnel that carries nothing is closed by the proxy.
        using var tunnel = new TcpClient();
        await tunnel.ConnectAsync(proxy.Endpoint());
        var stream = tunnel.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{origin.HttpPort} HTTP/1.1\r\n\r\n"));
        var buf = new byte[256];
        var n = await stream.ReadAsync(buf);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buf, 0, n));
        var sw = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int read;
        try { read = await stream.ReadAsync(buf, cts.Token); }
        catch (IOException) { read = 0; }
        Assert.Equal(0, read);
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(1.5), $"closed after {sw.Elapsed.TotalSeconds:0.0}s");
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=TcpConnect") && l.Contains("reason=Idle")));
    }
}
