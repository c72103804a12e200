using System.Text;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Socks;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>intelli_proxy: HTTP and SOCKS clients through one port, detection timeout, PROXY protocol in front.</summary>
[Collection(NodeCollection.Name)]
public sealed class IntelliProxyTests
{
    private static string Yaml(TestDnsServer dns, string intelliExtra = "") =>
        SocksProxyTests.SocksYaml(dns) + """
              - name: one
                type: intelli_proxy
                listen: 127.0.0.1:0
                http_server: http
                socks_server: socks
                protocol_detection_timeout: 1s

            """ + intelliExtra;

    [Fact]
    public async Task HttpAndSocks5AndSocks4_ThroughOnePort_AreServedByTheirServers()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns));
        var one = proxy.Endpoint("one");

        foreach (var flag in new[] { "--proxy http://", "--socks5 ", "--socks4 ", "--proxy socks5h://" })
        {
            var (code, body, err) = await SocksProxyTests.Curl($"{flag}{one} {origin.Url("/hello")}");
            Assert.True(code == 0, flag + err);
            Assert.Equal("hello", body);
        }
        // HTTP CONNECT too (its first byte is 'C').
        var (c, b, e) = await SocksProxyTests.Curl($"--proxytunnel --proxy http://{one} {origin.Url("/hello")}");
        Assert.True(c == 0, e);
        Assert.Equal("hello", b);

        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type="), count: 5);
        Assert.Equal(2, logs.Count(l => l.Contains("server_name=http")));
        Assert.Equal(3, logs.Count(l => l.Contains("server_name=socks")));
    }

    [Fact]
    public async Task Silence_IsClosedAfterProtocolDetectionTimeout_UnknownFirstByteAtOnce_NothingSent()
    {
        await using var dns = new TestDnsServer();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns));
        var one = proxy.Endpoint("one");

        await using var silent = await Socks5TestClient.ConnectAsync(one);
        var started = DateTime.UtcNow;
        var (closed, received) = await silent.WaitClosedAsync(TimeSpan.FromSeconds(5));
        Assert.True(closed);
        Assert.Empty(received);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(3));

        await using var unknown = await Socks5TestClient.ConnectAsync(one);
        await unknown.SendAsync(Encoding.ASCII.GetBytes("\x16\x03\x01 hello"));
        (closed, received) = await unknown.WaitClosedAsync(TimeSpan.FromSeconds(5));
        Assert.True(closed);
        Assert.Empty(received);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=one") && l.Contains("reason=ClientAppTimeout")));
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=one") && l.Contains("reason=InvalidClientProtocol")));
    }

    [Fact]
    public async Task ProxyProtocolV1_InFront_ClientAddressReachesTheSocksTaskLog()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, "    proxy_protocol: 1\n"));

        await using var client = await Socks5TestClient.ConnectAsync(proxy.Endpoint("one"));
        await client.SendAsync(Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.10 127.0.0.1 50000 1080\r\n"));
        await client.GreetAsync();
        var reply = await client.RequestAsync(Socks5Command.Connect, new UpstreamAddr("127.0.0.1", origin.HttpPort));
        Assert.Equal(Socks5ReplyCode.Succeeded, reply.Code);
        await client.SendAsync(Encoding.ASCII.GetBytes($"GET /hello HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        var (closed, received) = await client.WaitClosedAsync(TimeSpan.FromSeconds(10));
        Assert.True(closed);
        Assert.EndsWith("hello", Encoding.ASCII.GetString(received));
        // The tunnel ends (and logs) when the client closes its side too.
        await client.DisposeAsync();

        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("server_name=socks")));
        Assert.Contains("client_addr=192.0.2.10:50000", log);
    }
}
