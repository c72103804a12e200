using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Proxy.Tests.Integration;

/// <summary>
/// Users on tcp_stream and sni_proxy picked by a facts group (auth_by_client_ip, auth_by_server_name):
/// the user's limits and dst filters apply to the tunnel, the task log names the user, and a
/// connection no user matches is refused with the reason logged.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class StreamFactsUserTests(ITestOutputHelper output)
{
    private static string Group(string users) => $"""

        user_group:
          - name: facts
            type: facts
            static_users:
        {users}
        """;

    private static Task<ProxyUnderTest> StartAsync(string servers, string users) =>
        ProxyUnderTest.StartAsync(StreamServerTests.WithServers(servers) + Group(users));

    private static string TcpStream(int port, string auth = "auth_by_client_ip: true") => $"""
          - name: s
            type: tcp_stream
            escaper: direct
            listen: 127.0.0.1:0
            upstream: 127.0.0.1:{port}
            user_group: facts
            {auth}
        """;

    /// <summary>Sends <paramref name="size"/> bytes through the echo backend and reads them back with the id line first.</summary>
    private static async Task<int> EchoAsync(IPEndPoint proxy, int size)
    {
        using var client = new TcpClient(proxy.AddressFamily);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await client.ConnectAsync(proxy, cts.Token);
        var stream = client.GetStream();
        var send = Task.Run(async () =>
        {
            await stream.WriteAsync(new byte[size], cts.Token);
            client.Client.Shutdown(SocketShutdown.Send);
        }, cts.Token);
        var buffer = new byte[64 * 1024];
        var total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) total += n;
        await send;
        return total;
    }

    [Fact]
    public async Task TcpStream_ClientIpUser_SpeedLimitSlowsTheTunnel_AndIsLogged()
    {
        await using var backend = new IdBackend("echo");
        await using var proxy = await StartAsync(TcpStream(backend.Port), """
                  - name: loopback
                    match_by_facts: ["ip:127.0.0.1"]
                    tcp_sock_speed_limit: 512K
            """);
        const int size = 1536 * 1024;
        var sw = Stopwatch.StartNew();
        var got = await EchoAsync(proxy.Endpoint("s"), size);
        sw.Stop();
        output.WriteLine($"1.5 MiB echoed under the user's 512K socket limit: {sw.Elapsed.TotalSeconds:F2} s");
        Assert.Equal("echo\n".Length + size, got);
        // 1.5 MiB at 512 KiB/s each way takes about 3 s; no burst beyond one slice
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2), $"took {sw.Elapsed}");
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=s")));
        Assert.Contains("user=loopback", log);
    }

    [Fact]
    public async Task TcpStream_UserForbiddenPort_RefusedWithReason_BackendNeverReached()
    {
        await using var backend = new IdBackend("echo");
        await using var proxy = await StartAsync(TcpStream(backend.Port), $$"""
                  - name: loopback
                    match_by_facts: ["ip:127.0.0.1"]
                    dst_port_filter: {forbid: [{{backend.Port}}], default: permit}
            """);
        Assert.Equal("", await StreamServerTests.ReadIdAsync(proxy.Endpoint("s"), "hello"));
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=s")));
        Assert.Contains("reason=ForbiddenByRule", log);
        Assert.Contains("user=loopback", log);
        Assert.Equal(0, backend.Accepted);
    }

    [Fact]
    public async Task TcpStream_UsersResolveRedirection_LeadsTheUpstreamNameToTheBackend()
    {
        await using var backend = new IdBackend("echo");
        // the node's resolver has no server to ask: only the user's redirection can place the name
        var server = TcpStream(backend.Port).Replace($"upstream: 127.0.0.1:{backend.Port}", $"upstream: backend.test:{backend.Port}");
        await using var proxy = await StartAsync(server, """
                  - name: loopback
                    match_by_facts: ["ip:127.0.0.1"]
                    resolve_redirection: {backend.test: 127.0.0.1}
            """);
        Assert.StartsWith("echo\n", await StreamServerTests.ReadIdAsync(proxy.Endpoint("s"), "hello"));
        Assert.Equal(1, backend.Accepted);
    }

    [Fact]
    public async Task TcpStream_NoMatchingUser_RefusedAsClientAuthFailed_ServerKeepsServing()
    {
        await using var backend = new IdBackend("echo");
        await using var proxy = await StartAsync(TcpStream(backend.Port), """
                  - name: elsewhere
                    match_by_facts: ["ip:10.9.9.9"]
            """);
        Assert.Equal("", await StreamServerTests.ReadIdAsync(proxy.Endpoint("s"), "hello"));
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=s") && l.Contains("reason=ClientAuthFailed")));
        Assert.Equal(0, backend.Accepted);
        // the listener is still there: another refused connection is logged too
        Assert.Equal("", await StreamServerTests.ReadIdAsync(proxy.Endpoint("s"), "again"));
        Assert.Equal(2, (await proxy.WaitForLogAsync(l => l.Contains("reason=ClientAuthFailed"), count: 2)).Length);
    }

    private static Task<(int Code, string Stdout, string Stderr)> Curl(int port, string host) =>
        HttpForwardTests.RunAsync("curl", $"-sS --max-time 20 --resolve {host}:{port}:127.0.0.1 http://{host}:{port}/", 60_000);

    [Fact]
    public async Task SniProxy_ServerNameUser_PicksUserPerName_ForbiddenPortRefused()
    {
        await using var open = new IdBackend("open", http: true);
        await using var shut = new IdBackend("shut", http: true);
        await using var proxy = await StartAsync($"""
              - name: sni
                type: sni_proxy
                escaper: direct
                listen: 127.0.0.1:0
                user_group: facts
                auth_by_server_name: true
                allowed_hosts:
                  - exact_match: a.localhost
                    redirect_port: {open.Port}
                  - exact_match: b.localhost
                    redirect_port: {shut.Port}
                  - exact_match: c.localhost
                    redirect_port: {open.Port}
            """, $$"""
                  - name: alice
                    match_by_facts: [{exact_domain: a.localhost}]
                  - name: bob
                    match_by_facts: [{exact_domain: b.localhost}]
                    dst_port_filter: {forbid: [{{shut.Port}}], default: permit}
            """);
        // g3 matches the name the connection goes to (after allowed_hosts); *.localhost is loopback
        var port = proxy.Endpoint("sni").Port;
        var (code, body, err) = await Curl(port, "a.localhost");
        Assert.True(code == 0, err);
        Assert.Equal("open", body);
        (code, _, _) = await Curl(port, "b.localhost");
        Assert.NotEqual(0, code);
        (code, _, _) = await Curl(port, "c.localhost");
        Assert.NotEqual(0, code);

        Assert.Contains("user=alice", Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("upstream=a.localhost:" + open.Port) && l.Contains("reason=ClosedBy"))));
        var bob = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("user=bob")));
        Assert.Contains("reason=ForbiddenByRule", bob);
        Assert.Contains("upstream=c.localhost", Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("reason=ClientAuthFailed"))));
        Assert.Equal(0, shut.Accepted);
    }
}
