using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Proxy.Actors.Config.Values;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// g3's socket option keys seen on a running node's live sockets, as an operator would check them
/// with <c>ss</c>: the listen keys and tcp_misc_opts on the accepted socket, the escaper's on the
/// socket to the target, udp_misc_opts on both UDP sockets of a SOCKS UDP task.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed partial class SocketOptionsTests
{
    private static async Task<string> Ss(string args)
    {
        var (code, stdout, stderr) = await HttpForwardTests.RunAsync("ss", args, 30_000);
        Assert.True(code == 0, stderr);
        // ss puts a socket's -i details on a continuation line: one line per socket
        return stdout.Replace("\n\t", " ");
    }

    [GeneratedRegex(@"\bmss:(\d+)")]
    private static partial Regex Mss();

    [Fact]
    public async Task ListenKeys_AndTcpMiscOpts_ShowOnTheAcceptedAndTheOutgoingSockets()
    {
        using var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        var targetPort = ((IPEndPoint)target.LocalEndpoint).Port;
        var yaml = ProxyUnderTest.HttpProxyYaml(escaperExtra: "tcp_misc_opts: {mark: 23073}")
            .Replace("listen: 127.0.0.1:0", "listen: {address: 127.0.0.1:0, interface: lo, mss: 1000, mark: 23070, keepalive: {idle_time: 30s, probe_interval: 5s}}\n    tcp_misc_opts: {mark: 23071, ttl: 44}");
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);
        var port = proxy.Endpoint().Port;

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{targetPort} HTTP/1.1\r\nHost: 127.0.0.1:{targetPort}\r\n\r\n"));
        using var accepted = await target.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var reply = new byte[64];
        var n = await stream.ReadAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(reply, 0, n));

        var local = (IPEndPoint)client.Client.LocalEndPoint!;
        var inbound = await Ss($"-tnieoH state established \"( sport = :{port} and dport = :{local.Port} )\"");
        var outbound = await Ss($"-tnieH state established \"( dport = :{targetPort} )\"");

        // tcp_misc_opts' mark replaces the listener's on the accepted socket; the keepalive and MSS are the listener's
        Assert.Contains("fwmark:0x5a1f", inbound);
        Assert.Contains("timer:(keepalive", inbound);
        Assert.InRange(int.Parse(Mss().Match(inbound).Groups[1].Value), 500, 1000);
        Assert.Contains("fwmark:0x5a21", outbound);
    }

    [Fact]
    public async Task SocksUdp_ServerAndEscaperUdpMiscOpts_MarkTheirSockets()
    {
        await using var dns = new TestDnsServer();
        await using var echo = new UdpEcho();
        var yaml = SocksProxyTests.SocksYaml(dns, "udp_misc_opts: {mark: 23080, ttl: 46}")
            .Replace("resolve_strategy: IPv4First", "resolve_strategy: IPv4First\n    udp_misc_opts: {mark: 23081, ttl: 45}");
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);
        await using var session = await SocksUdpTests.UdpSession.OpenAsync(proxy);

        await session.SendAsync(new UpstreamAddr("127.0.0.1", echo.EndPoint.Port), [1, 2, 3]);
        Assert.NotNull(await session.ReceiveAsync());

        var relay = await Ss($"-uaneH \"( sport = :{session.Relay.Port} )\"");
        var all = await Ss("-uaneH");
        Assert.Contains("fwmark:0x5a28", relay);
        Assert.Contains("fwmark:0x5a29", all);
    }
}
