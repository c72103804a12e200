using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Socks;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// SOCKS5 UDP through socks_proxy, both of g3's modes, with an RFC 1928 client and UDP echo servers
/// the test starts: sizes up to udp_relay_packet_size come back intact, bigger ones and fragments
/// are dropped and counted, and the TCP connection's close or udp_client_initial_timeout ends the task.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class SocksUdpTests
{
    private static readonly UpstreamAddr Unspecified = new("0.0.0.0", 0);

    /// <summary>TCP control connection with the UDP reply, and a UDP socket for the client's datagrams.</summary>
    internal sealed class UdpSession : IAsyncDisposable
    {
        public required Socks5TestClient Control { get; init; }
        public required Socket Udp { get; init; }
        public required IPEndPoint Relay { get; init; }

        /// <param name="login">RFC 1929 credentials to log in with, when the server has a user group.</param>
        public static async Task<UdpSession> OpenAsync(ProxyUnderTest proxy, (string User, string Password)? login = null, string server = "socks")
        {
            var control = await Socks5TestClient.ConnectAsync(proxy.Endpoint(server));
            if (login is { } l)
            {
                Assert.Equal(Socks5AuthMethod.UsernamePassword, await control.GreetAsync(Socks5AuthMethod.UsernamePassword));
                Assert.True(await control.LoginAsync(l.User, l.Password));
            }
            else
            {
                await control.GreetAsync();
            }
            var reply = await control.RequestAsync(Socks5Command.UdpAssociate, Unspecified);
            Assert.Equal(Socks5ReplyCode.Succeeded, reply.Code);
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return new UdpSession { Control = control, Udp = udp, Relay = new IPEndPoint(reply.Bound.Ip!, reply.Bound.Port) };
        }

        public Task SendAsync(UpstreamAddr target, byte[] payload, byte frag = 0) =>
            Udp.SendToAsync(Socks5TestClient.UdpDatagram(target, payload, frag), SocketFlags.None, Relay);

        /// <summary>The next datagram from the relay, header parsed; null when none comes within the time.</summary>
        public async Task<(UpstreamAddr Source, byte[] Payload)?> ReceiveAsync(TimeSpan? within = null)
        {
            var buffer = new byte[70000];
            using var cts = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(5));
            try
            {
                var r = await Udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, 0), cts.Token);
                var datagram = buffer.AsMemory(0, r.ReceivedBytes);
                var header = Socks5UdpCodec.Parse(datagram);
                Assert.True(header.IsDone, header.Reason);
                Assert.False(header.Value!.IsFragment);
                return (header.Value.Target, datagram[(int)header.Consumed..].ToArray());
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Udp.Dispose();
            await Control.DisposeAsync();
        }
    }

    private static byte[] Payload(int n, int seed) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 + seed)).ToArray();

    private static Task<ProxyUnderTest> StartAsync(TestDnsServer dns, string socksExtra) =>
        ProxyUnderTest.StartAsync(SocksProxyTests.SocksYaml(dns, socksExtra));

    [Theory]
    [InlineData("use_udp_associate: false")]
    [InlineData("use_udp_associate: true")]
    public async Task RoundTrip_With16KPackets_1_1400_8000_ComeBackIntact_20000IsDroppedAndCounted(string mode)
    {
        await using var dns = new TestDnsServer();
        await using var echo = new UdpEcho();
        await using var proxy = await StartAsync(dns, mode + "\nudp_relay_packet_size: 16K");
        await using var session = await UdpSession.OpenAsync(proxy);
        var target = new UpstreamAddr("127.0.0.1", echo.EndPoint.Port);

        foreach (var size in new[] { 1, 1400, 8000 })
        {
            var payload = Payload(size, size);
            await session.SendAsync(target, payload);
            var got = await session.ReceiveAsync();
            Assert.True(got is not null, $"{size} bytes came back");
            Assert.Equal(target, got.Value.Source);
            Assert.Equal(payload, got.Value.Payload);
        }

        await session.SendAsync(target, Payload(20000, 1));
        Assert.True(await Eventually.True(() => SocksProxyTests.Counters(proxy).DroppedOversize == 1));
        // The next datagram back is the small one sent after it: the big one never went out.
        await session.SendAsync(target, Payload(10, 2));
        var after = await session.ReceiveAsync();
        Assert.Equal(Payload(10, 2), after!.Value.Payload);
        Assert.Equal(4, echo.Received);

        var taskType = mode.EndsWith("true") ? "UdpAssociate" : "UdpConnect";
        await session.Control.DisposeAsync();
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=" + taskType)));
        Assert.Contains("reason=ClosedByClient", log);
        Assert.Contains($"upstream={target}", log);
    }

    [Fact]
    public async Task DefaultPacketSize_Is4K_AsInG3_8000BytesAreDropped_4000Pass()
    {
        await using var dns = new TestDnsServer();
        await using var echo = new UdpEcho();
        await using var proxy = await StartAsync(dns, "");
        await using var session = await UdpSession.OpenAsync(proxy);
        var target = new UpstreamAddr("127.0.0.1", echo.EndPoint.Port);

        await session.SendAsync(target, Payload(8000, 3));
        await session.SendAsync(target, Payload(4000, 4));
        var got = await session.ReceiveAsync();
        Assert.Equal(Payload(4000, 4), got!.Value.Payload);
        Assert.Equal(1, SocksProxyTests.Counters(proxy).DroppedOversize);
    }

    [Fact]
    public async Task Associate_LabelsEachReplyWithItsSource_ConnectMode_DropsOtherTargets()
    {
        await using var dns = new TestDnsServer();
        await using var a = new UdpEcho();
        await using var b = new UdpEcho();
        var targetA = new UpstreamAddr("127.0.0.1", a.EndPoint.Port);
        var targetB = new UpstreamAddr("127.0.0.1", b.EndPoint.Port);

        await using (var proxy = await StartAsync(dns, "use_udp_associate: true"))
        await using (var session = await UdpSession.OpenAsync(proxy))
        {
            await session.SendAsync(targetA, [1]);
            Assert.Equal(targetA, (await session.ReceiveAsync())!.Value.Source);
            await session.SendAsync(targetB, [2]);
            var fromB = await session.ReceiveAsync();
            Assert.Equal(targetB, fromB!.Value.Source);
            Assert.Equal(new byte[] { 2 }, fromB.Value.Payload);
        }

        var bBefore = b.Received;
        await using (var proxy = await StartAsync(dns, ""))
        await using (var session = await UdpSession.OpenAsync(proxy))
        {
            await session.SendAsync(targetA, [1]);
            Assert.NotNull(await session.ReceiveAsync());
            await session.SendAsync(targetB, [2]);
            Assert.True(await Eventually.True(() => SocksProxyTests.Counters(proxy).DroppedInvalid == 1));
            await session.SendAsync(targetA, [3]);
            Assert.Equal(new byte[] { 3 }, (await session.ReceiveAsync())!.Value.Payload);
            Assert.Equal(bBefore, b.Received);
        }
    }

    [Fact]
    public async Task DomainTarget_IsResolvedByTheEscaper_ConnectRepliesNameItAsTheClientDid()
    {
        await using var dns = new TestDnsServer();
        dns.SetA("echo.test", 60, "127.0.0.1");
        await using var echo = new UdpEcho();
        await using var proxy = await StartAsync(dns, "");
        await using var session = await UdpSession.OpenAsync(proxy);
        var target = new UpstreamAddr("echo.test", echo.EndPoint.Port);

        await session.SendAsync(target, [9, 9]);
        var got = await session.ReceiveAsync();
        Assert.Equal(target, got!.Value.Source);
        Assert.Equal(new byte[] { 9, 9 }, got.Value.Payload);
    }

    [Fact]
    public async Task NonZeroFrag_IsDroppedAndCounted_RelayGoesOn()
    {
        await using var dns = new TestDnsServer();
        await using var echo = new UdpEcho();
        await using var proxy = await StartAsync(dns, "use_udp_associate: true");
        await using var session = await UdpSession.OpenAsync(proxy);
        var target = new UpstreamAddr("127.0.0.1", echo.EndPoint.Port);

        await session.SendAsync(target, [1, 2, 3], frag: 1);
        await session.SendAsync(target, [4, 5, 6], frag: 0x81);
        await session.SendAsync(target, [7]);
        Assert.Equal(new byte[] { 7 }, (await session.ReceiveAsync())!.Value.Payload);
        Assert.Equal(2, SocksProxyTests.Counters(proxy).DroppedFragments);
        Assert.Equal(1, echo.Received);
        // Garbage datagrams too: dropped, the relay still answers.
        await session.Udp.SendToAsync(new byte[] { 1, 2 }, SocketFlags.None, session.Relay);
        await session.SendAsync(target, [8]);
        Assert.Equal(new byte[] { 8 }, (await session.ReceiveAsync())!.Value.Payload);
        Assert.Equal(1, SocksProxyTests.Counters(proxy).DroppedInvalid);
    }

    [Fact]
    public async Task NoDatagramWithinUdpClientInitialTimeout_EndsTheTask_TcpClosed()
    {
        await using var dns = new TestDnsServer();
        await using var proxy = await StartAsync(dns, "udp_client_initial_timeout: 1s");
        await using var session = await UdpSession.OpenAsync(proxy);

        var (closed, _) = await session.Control.WaitClosedAsync(TimeSpan.FromSeconds(5));
        Assert.True(closed);
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=UdpConnect")));
        Assert.Contains("reason=ClientAppTimeout", log);
    }

    [Fact]
    public async Task EchoIpIsTransmuted_AndThePortComesFromUdpBindPortRange()
    {
        await using var dns = new TestDnsServer();
        await using var proxy = await StartAsync(dns, "transmute_udp_echo_ip: {127.0.0.1: 192.0.2.7}\nudp_bind_port_range: 41000-41100\nudp_socket_buffer: {recv: 256K}");
        await using var control = await Socks5TestClient.ConnectAsync(proxy.Endpoint("socks"));
        await control.GreetAsync();
        var reply = await control.RequestAsync(Socks5Command.UdpAssociate, Unspecified);

        Assert.Equal(Socks5ReplyCode.Succeeded, reply.Code);
        Assert.Equal("192.0.2.7", reply.Bound.Host);
        Assert.InRange(reply.Bound.Port, 41000, 41100);
    }
}
