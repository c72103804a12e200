using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Servers.Socks;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>socks_proxy CONNECT driven by curl (SOCKS5, SOCKS5 with remote names, SOCKS4, SOCKS4a) and by an RFC 1928 client for the reply codes.</summary>
[Collection(NodeCollection.Name)]
public sealed class SocksProxyTests
{
    /// <summary>The test node: a direct escaper that may reach loopback, resolving through <paramref name="dns"/>, and one socks_proxy.</summary>
    internal static string SocksYaml(TestDnsServer dns, string socksExtra = "", string escaperFilter = "egress_network_filter: {default: allow, allow: [127.0.0.1, '::1']}")
    {
        var yaml = ProxyUnderTest.HttpProxyYaml(escaperFilter: escaperFilter)
            .Replace("    server: 127.0.0.1\n", $"    server: 127.0.0.1:{dns.EndPoint.Port}\n    each_timeout: 500\n");
        var extra = string.Join("\n", socksExtra.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));
        return yaml + "\n  - name: socks\n    type: socks_proxy\n    escaper: direct\n    listen: 127.0.0.1:0\n" + extra + "\n";
    }

    internal static Task<(int Code, string Stdout, string Stderr)> Curl(string args) =>
        HttpForwardTests.RunAsync("curl", "-sS --max-time 20 " + args, 60_000);

    [Fact]
    public async Task Curl_Socks5_Socks5Hostname_Socks4_Socks4a_AllReachTheOrigin()
    {
        await using var dns = new TestDnsServer();
        dns.SetA("origin.test", 60, "127.0.0.1");
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(SocksYaml(dns));
        var socks = proxy.Endpoint("socks");

        foreach (var (flag, host) in new[] { ("--socks5", "127.0.0.1"), ("--socks5-hostname", "origin.test"), ("--socks4", "127.0.0.1"), ("--socks4a", "origin.test") })
        {
            var (code, body, err) = await Curl($"{flag} {socks} http://{host}:{origin.HttpPort}/hello");
            Assert.True(code == 0, flag + ": " + err);
            Assert.Equal("hello", body);
        }
        var logs = await proxy.WaitForLogAsync(l => l.Contains("server_name=socks") && l.Contains("task_type=TcpConnect"), count: 4);
        Assert.Equal(4, logs.Length);
        Assert.Equal(2, logs.Count(l => l.Contains($"upstream=origin.test:{origin.HttpPort}")));
        Assert.All(logs, l => Assert.Contains("reason=ClosedBy", l));
    }

    [Fact]
    public async Task Curl_Socks5_DownloadsAMegabyteIntact_AndAnHttpsOriginThroughTheTunnel()
    {
        await using var dns = new TestDnsServer();
        using var certs = new TestCertificates();
        await using var origin = await TestOrigin.StartAsync(certs);
        await using var proxy = await ProxyUnderTest.StartAsync(SocksYaml(dns));
        var socks = proxy.Endpoint("socks");
        var file = Path.GetTempFileName();
        var ca = Path.GetTempFileName();
        try
        {
            var (code, _, err) = await Curl($"--socks5 {socks} -o {file} {origin.Url("/bytes/1048576")}");
            Assert.True(code == 0, err);
            Assert.Equal(HttpForwardTests.Sha(TestOrigin.Pattern(1048576)), HttpForwardTests.Sha(await File.ReadAllBytesAsync(file)));

            await File.WriteAllTextAsync(ca, certs.CaPem);
            (code, var body, err) = await Curl($"--socks5 {socks} --cacert {ca} {origin.HttpsUrl("/hello")}");
            Assert.True(code == 0, err);
            Assert.Equal("hello", body);
        }
        finally
        {
            File.Delete(file);
            File.Delete(ca);
        }
    }

    [Fact]
    public async Task Socks5Connect_ToIpv6AndDomainTargets_RelaysBothWays_ReplyNamesTheBoundAddress()
    {
        await using var dns = new TestDnsServer();
        dns.SetA("echo.test", 60, "127.0.0.1");
        using var v6 = new TcpListener(IPAddress.IPv6Loopback, 0);
        using var v4 = new TcpListener(IPAddress.Loopback, 0);
        v6.Start();
        v4.Start();
        await using var proxy = await ProxyUnderTest.StartAsync(SocksYaml(dns));

        foreach (var (listener, target) in new[] { (v6, new UpstreamAddr("::1", ((IPEndPoint)v6.LocalEndpoint).Port)), (v4, new UpstreamAddr("echo.test", ((IPEndPoint)v4.LocalEndpoint).Port)) })
        {
            await using var client = await Socks5TestClient.ConnectAsync(proxy.Endpoint("socks"));
            Assert.Equal(Socks5AuthMethod.NoAuth, await client.GreetAsync());
            var accept = listener.AcceptTcpClientAsync();
            var reply = await client.RequestAsync(Socks5Command.Connect, target);
            Assert.Equal(Socks5ReplyCode.Succeeded, reply.Code);
            using var upstream = await accept;
            // BND.ADDR/PORT: the proxy's end of its connection to the target, as the target sees it.
            var seenFrom = (IPEndPoint)upstream.Client.RemoteEndPoint!;
            Assert.Equal(seenFrom.Port, reply.Bound.Port);

            await client.SendAsync(Encoding.ASCII.GetBytes("ping"));
            var buf = new byte[4];
            await upstream.GetStream().ReadExactlyAsync(buf);
            Assert.Equal("ping", Encoding.ASCII.GetString(buf));
            await upstream.GetStream().WriteAsync(Encoding.ASCII.GetBytes("pong"));
            await client.Stream.ReadExactlyAsync(buf);
            Assert.Equal("pong", Encoding.ASCII.GetString(buf));
        }
    }

    [Fact]
    public async Task EscapeFailures_GetG3sReplyCodes_Socks5AndSocks4()
    {
        await using var dns = new TestDnsServer();
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var proxy = await ProxyUnderTest.StartAsync(SocksYaml(dns, "dst_port_filter: {default: allow, forbid: [1010]}"));
        var cases = new (UpstreamAddr Target, Socks5ReplyCode Code, string Reason)[]
        {
            (new("127.0.0.1", closedPort), Socks5ReplyCode.ConnectionRefused, "UpstreamNotConnected"),
            (new("127.0.0.2", 8080), Socks5ReplyCode.NotAllowedByRuleset, "ForbiddenByRule"),
            (new("127.0.0.1", 1010), Socks5ReplyCode.NotAllowedByRuleset, "ForbiddenByRule"),
            (new("nowhere.test", 80), Socks5ReplyCode.HostUnreachable, "UpstreamNotResolved"),
        };
        foreach (var (target, expected, reason) in cases)
        {
            await using var client = await Socks5TestClient.ConnectAsync(proxy.Endpoint("socks"));
            await client.GreetAsync();
            var reply = await client.RequestAsync(Socks5Command.Connect, target);
            Assert.True(expected == reply.Code, $"{target}: {reply.Code}");
            Assert.True((await client.WaitClosedAsync(TimeSpan.FromSeconds(5))).Closed, $"{target}: closed after the failure reply");
            Assert.Single(await proxy.WaitForLogAsync(l => l.Contains($"upstream={target}") && l.Contains("reason=" + reason)));
        }

        // SOCKS4 has one failure code for them all.
        await using var v4 = await Socks5TestClient.ConnectAsync(proxy.Endpoint("socks"));
        await v4.SendAsync([4, 1, (byte)(closedPort >> 8), (byte)closedPort, 127, 0, 0, 1, (byte)'u', 0]);
        var (isClosed, received) = await v4.WaitClosedAsync(TimeSpan.FromSeconds(5));
        Assert.True(isClosed);
        Assert.Equal(new byte[] { 0, 91, 0, 0, 0, 0, 0, 0 }, received);
    }

    [Fact]
    public async Task BindAndUnknownCommandsAndAddressTypes_AreAnsweredWithTheirCodes_NodeKeepsServing()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(SocksYaml(dns));
        var socks = proxy.Endpoint("socks");

        var requests = new (byte[] Request, byte Code)[]
        {
            ([5, 2, 0, 1, 127, 0, 0, 1, 0, 80], 0x07),            // BIND
            ([5, 9, 0, 1, 127, 0, 0, 1, 0, 80], 0x07),            // unknown command
            ([5, 1, 0, 7, 127, 0, 0, 1, 0, 80], 0x08),            // unknown ATYP
        };
        foreach (var (request, code) in requests)
        {
            await using var client = await Socks5TestClient.ConnectAsync(socks);
            await client.GreetAsync();
            await client.SendAsync(request);
            var (closed, received) = await client.WaitClosedAsync(TimeSpan.FromSeconds(5));
            Assert.True(closed);
            Assert.True(received.Length >= 2 && received[0] == 5 && received[1] == code, $"cmd {request[1]} atyp {request[3]}: {Convert.ToHexString(received)}");
        }

        await using (var v4Bind = await Socks5TestClient.ConnectAsync(socks))
        {
            await v4Bind.SendAsync([4, 2, 0, 80, 127, 0, 0, 1, 0]);
            var (closed, received) = await v4Bind.WaitClosedAsync(TimeSpan.FromSeconds(5));
            Assert.True(closed);
            Assert.Equal(91, received[1]);
        }

        // A client that offers only username/password is told no method is acceptable.
        await using (var userOnly = await Socks5TestClient.ConnectAsync(socks))
        {
            Assert.Equal(Socks5AuthMethod.NoAcceptable, await userOnly.GreetAsync(Socks5AuthMethod.UsernamePassword));
        }

        var (c, body, err) = await Curl($"--socks5 {socks} {origin.Url("/hello")}");
        Assert.True(c == 0, err);
        Assert.Equal("hello", body);
    }

    [Fact]
    public async Task Garbage_TruncatedGreeting_AndALengthByteBeyondTheBytes_EndAsTheRfcSays_NodeKeepsServing()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(SocksYaml(dns, "negotiation_timeout: 1s"));
        var socks = proxy.Endpoint("socks");

        // Garbage: not SOCKS 4 or 5, closed at once without a reply.
        await using (var garbage = await Socks5TestClient.ConnectAsync(socks))
        {
            await garbage.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"));
            var (closed, received) = await garbage.WaitClosedAsync(TimeSpan.FromSeconds(5));
            Assert.True(closed);
            Assert.Empty(received);
        }

        // A greeting that promises 3 methods and sends 1; a request whose domain length byte says 200 and sends 3:
        // both wait for bytes that never come, and negotiation_timeout ends them silently.
        await using var truncated = await Socks5TestClient.ConnectAsync(socks);
        await truncated.SendAsync(5, 3, 0);
        await using var longDomain = await Socks5TestClient.ConnectAsync(socks);
        await longDomain.GreetAsync();
        await longDomain.SendAsync(5, 1, 0, 3, 200, (byte)'a', (byte)'b', (byte)'c');

        var (c, body, err) = await Curl($"--socks5 {socks} {origin.Url("/hello")}");
        Assert.True(c == 0, err);
        Assert.Equal("hello", body);

        var started = DateTime.UtcNow;
        foreach (var stuck in new[] { truncated, longDomain })
        {
            var (closed, received) = await stuck.WaitClosedAsync(TimeSpan.FromSeconds(5));
            Assert.True(closed);
            Assert.Empty(received);
        }
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Assert.Equal(2, (await proxy.WaitForLogAsync(l => l.Contains("server_name=socks") && l.Contains("reason=ClientAppTimeout"), count: 2)).Length);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=socks") && l.Contains("reason=InvalidClientProtocol")));
    }

    internal static SocksUdpCounters Counters(ProxyUnderTest proxy)
    {
        Assert.True(proxy.Node.Services.Servers.TryGet("socks", out var entry));
        return ((SocksProxyRuntime)entry!.Runtime).UdpCounters;
    }
}
