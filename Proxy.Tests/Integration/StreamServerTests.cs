using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>tcp_stream (pick policies, TLS offloading) and listen forms, against real backends.</summary>
[Collection(NodeCollection.Name)]
public sealed class StreamServerTests : IDisposable
{
    private readonly TestCertificates _certs = new();

    public void Dispose() => _certs.Dispose();

    /// <summary>The test node's resolver and loopback-allowed direct escaper, then these servers.</summary>
    internal static string WithServers(string servers) =>
        ProxyUnderTest.HttpProxyYaml().Split("\nserver:\n")[0] + "\nserver:\n" + servers;

    /// <summary>Connects, reads the backend's id line (and an echo of <paramref name="send"/>), closes.</summary>
    internal static async Task<string> ReadIdAsync(IPEndPoint proxy, string send = "")
    {
        using var client = new TcpClient(proxy.AddressFamily);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(proxy, cts.Token);
        var stream = client.GetStream();
        if (send.Length > 0) await stream.WriteAsync(Encoding.ASCII.GetBytes(send), cts.Token);
        client.Client.Shutdown(SocketShutdown.Send);
        var all = new MemoryStream();
        await stream.CopyToAsync(all, cts.Token);
        return Encoding.ASCII.GetString(all.ToArray());
    }

    [Fact]
    public async Task TcpStream_RoundRobin_AlternatesBetweenTwoBackends()
    {
        await using var a = new IdBackend("backend-a");
        await using var b = new IdBackend("backend-b");
        await using var proxy = await ProxyUnderTest.StartAsync(WithServers($"""
              - name: s
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                upstream: [127.0.0.1:{a.Port}, 127.0.0.1:{b.Port}]
                upstream_pick_policy: rr
            """));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add((await ReadIdAsync(proxy.Endpoint("s"), "ping")).Split('\n')[0]);
        Assert.Equal(2, ids.Count(x => x == "backend-a"));
        Assert.Equal(2, ids.Count(x => x == "backend-b"));
        for (var i = 1; i < ids.Count; i++) Assert.NotEqual(ids[i - 1], ids[i]);
        var logs = await proxy.WaitForLogAsync(l => l.Contains("server_name=s") && l.Contains("reason=ClosedBy"), count: 4);
        Assert.Equal(4, logs.Length);
        Assert.All(logs, l => Assert.Contains("server_type=TcpStream", l));
    }

    [Fact]
    public async Task TcpStream_EchoesThroughTheTunnel()
    {
        await using var a = new IdBackend("only");
        await using var proxy = await ProxyUnderTest.StartAsync(WithServers($"""
              - name: s
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                proxy_pass: 127.0.0.1:{a.Port}
            """));
        Assert.Equal("only\nhello through", await ReadIdAsync(proxy.Endpoint("s"), "hello through"));
    }

    [Theory]
    [InlineData("ketama")]
    [InlineData("rendezvous")]
    [InlineData("jump_hash")]
    public async Task TcpStream_HashPolicies_KeepOneClientOnOneBackend(string policy)
    {
        await using var a = new IdBackend("backend-a");
        await using var b = new IdBackend("backend-b");
        await using var c = new IdBackend("backend-c");
        await using var proxy = await ProxyUnderTest.StartAsync(WithServers($"""
              - name: s
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                upstream:
                  - 127.0.0.1:{a.Port}
                  - 127.0.0.1:{b.Port}
                  - addr: 127.0.0.1:{c.Port}
                    weight: 2
                upstream_pick_policy: {policy}
            """));
        var ids = new HashSet<string>();
        for (var i = 0; i < 6; i++) ids.Add((await ReadIdAsync(proxy.Endpoint("s"))).Split('\n')[0]);
        Assert.Single(ids);
    }

    [Fact]
    public async Task TcpStream_TlsOffloading_VerifiesTheBackendsName()
    {
        await using var backend = new IdBackend("tls-backend", IdBackend.Certificate(_certs, "backend.test"));
        await using var proxy = await ProxyUnderTest.StartAsync(WithServers($"""
              - name: good
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                upstream: 127.0.0.1:{backend.Port}
                tls_client:
                  ca_certificate: ca.pem
                upstream_tls_name: backend.test
              - name: wrong
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                upstream: 127.0.0.1:{backend.Port}
                tls_client:
                  ca_certificate: ca.pem
                upstream_tls_name: other.test
            """), new Dictionary<string, string> { ["ca.pem"] = _certs.CaPem });

        // The client speaks plain TCP; the proxy does the TLS to the backend.
        Assert.Equal("tls-backend\nplain in, tls out", await ReadIdAsync(proxy.Endpoint("good"), "plain in, tls out"));
        Assert.Equal("backend.test", backend.LastSni);

        Assert.Equal("", await ReadIdAsync(proxy.Endpoint("wrong"), "x"));
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=wrong") && l.Contains("reason=UpstreamTlsHandshakeFailed")));
        Assert.Contains("upstream=127.0.0.1:" + backend.Port, log);
    }

    [Fact]
    public async Task Listen_AsObject_WithBacklogInstanceAndIpv6Only_AndListenInWorker()
    {
        await using var a = new IdBackend("a");
        await using var proxy = await ProxyUnderTest.StartAsync(WithServers($"""
              - name: multi
                type: tcp_stream
                escaper: direct
                listen:
                  address: 127.0.0.1:0
                  backlog: 16
                  instance: 2
                upstream: 127.0.0.1:{a.Port}
              - name: v6
                type: tcp_stream
                escaper: direct
                listen:
                  address: "[::1]:0"
                  ipv6_only: true
                upstream: 127.0.0.1:{a.Port}
              - name: worker
                type: tcp_stream
                escaper: direct
                listen: 127.0.0.1:0
                listen_in_worker: true
                upstream: 127.0.0.1:{a.Port}
            """));
        // The instances share one port (SO_REUSEPORT): count the listening sockets on it.
        Assert.Equal(2, await ListenerCountAsync(proxy.Endpoint("multi").Port));
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), await ListenerCountAsync(proxy.Endpoint("worker").Port));
        Assert.Equal(IPAddress.IPv6Loopback, proxy.Endpoint("v6").Address);
        foreach (var name in new[] { "multi", "v6", "worker" })
            Assert.Equal("a\n", await ReadIdAsync(proxy.Endpoint(name)));
    }

    private static async Task<int> ListenerCountAsync(int port)
    {
        var (code, stdout, err) = await HttpForwardTests.RunAsync("ss", $"-Hltn sport = :{port}", 10_000);
        Assert.True(code == 0, err);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
