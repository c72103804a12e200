using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Proxy.Actors.Config;
using Proxy.Actors.Guardian;
using Proxy.Actors.Logging;
using Proxy.Tests.Config;
using Proxy.Tests.Integration;

namespace Proxy.Tests.Guardian;

[Collection(NodeCollection.Name)]
public sealed class NodeGuardianSpec : TestKit
{
    private readonly TempConfigDir _dir = new();

    protected override void Dispose(bool disposing)
    {
        _dir.Dispose();
        base.Dispose(disposing);
    }

    private ProxyConfig Load(string yaml) => ConfigLoader.Load(_dir.Write("main.yml", yaml));

    private const string TwoServers = """
        escaper:
          - name: deny
            type: dummy_deny
        server:
          - name: http
            type: http_proxy
            escaper: deny
          - name: port
            type: plain_tcp_port
            listen: 127.0.0.1:0
            server: http
        """;

    [Fact]
    public async Task Starts_HandlesFirstThenServers_ReportsWhatListens_DrainsWhenIdle()
    {
        var guardian = Sys.ActorOf(NodeGuardian.Props(Load(TwoServers), new NodeServices(TaskLogger.Discard)), NodeGuardian.Name);

        guardian.Tell(NodeMessages.WaitStarted.Instance);
        var started = ExpectMsg<NodeMessages.Started>(TimeSpan.FromSeconds(20));
        Assert.Empty(started.Listening["http"]); // reached through the port only
        var port = Assert.Single(started.Listening["port"]);

        // The port hands a connection to http_proxy, whose dummy_deny escaper answers 503.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(port);
            var s = client.GetStream();
            await s.WriteAsync("GET http://example.test/ HTTP/1.1\r\nHost: example.test\r\n\r\n"u8.ToArray());
            var buf = new byte[64];
            var n = await s.ReadAsync(buf).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("HTTP/1.1 503", System.Text.Encoding.ASCII.GetString(buf, 0, n));
        }

        guardian.Tell(new NodeMessages.Drain(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, ExpectMsg<NodeMessages.Drained>(TimeSpan.FromSeconds(20)).Remaining);
        using var late = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => late.ConnectAsync(port));
    }

    [Fact]
    public void APortInUse_FailsTheStart_NamingTheServer()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var busy = ((IPEndPoint)taken.LocalEndpoint).Port;
        var guardian = Sys.ActorOf(NodeGuardian.Props(Load(TwoServers.Replace("127.0.0.1:0", $"127.0.0.1:{busy}")), new NodeServices(TaskLogger.Discard)));

        guardian.Tell(NodeMessages.WaitStarted.Instance);
        var failed = ExpectMsg<NodeMessages.StartFailed>(TimeSpan.FromSeconds(20));
        Assert.Contains("server 'port'", failed.Error);
    }
}
