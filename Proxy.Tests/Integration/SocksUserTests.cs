using System.Diagnostics;
using System.Text;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Socks;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>
/// A socks_proxy with <c>user_group</c>: RFC 1929 login with g3's lookup (right, wrong, unknown, anonymous),
/// SOCKS4 for the anonymous user only, the user's rules answered with SOCKS5's "not allowed by ruleset",
/// socks_use_udp_associate, and a malformed login that leaves the node serving.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class SocksUserTests
{
    private static string Yaml(TestDnsServer dns, string rootExtra = "", string groupExtra = "", string socksExtra = "") =>
        SocksProxyTests.SocksYaml(dns, "user_group: staff\n" + socksExtra) + $"""

        user_group:
          - name: staff
            static_users:
              - name: root
                token: {HttpProxyUserTests.RootToken}
        {Indent(rootExtra, 8)}
        {Indent(groupExtra, 4)}
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    [Fact]
    public async Task Curl_RightPasswordWorks_WrongPasswordAndUnknownUserFail_WithAuthFailureReply()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns));
        var socks = proxy.Endpoint("socks");

        var (code, body, err) = await SocksProxyTests.Curl($"--socks5 root:toor@{socks} {origin.Url("/hello")}");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        (code, body, err) = await SocksProxyTests.Curl($"--socks5-hostname {socks} --proxy-user root:toor {origin.Url("/hello")}");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        Assert.NotEqual(0, (await SocksProxyTests.Curl($"--socks5 root:wrong@{socks} {origin.Url("/hello")}")).Code);
        Assert.NotEqual(0, (await SocksProxyTests.Curl($"--socks5 nobody:toor@{socks} {origin.Url("/hello")}")).Code);
        Assert.Equal(2, origin.Seen.Count);

        // On the wire: username/password is chosen, a wrong password gets status 1, then the close.
        await using var client = await Socks5TestClient.ConnectAsync(socks);
        Assert.Equal(Socks5AuthMethod.UsernamePassword, await client.GreetAsync(Socks5AuthMethod.NoAuth, Socks5AuthMethod.UsernamePassword));
        Assert.False(await client.LoginAsync("root", "wrong"));
        var (closed, rest) = await client.WaitClosedAsync(TimeSpan.FromSeconds(10));
        Assert.True(closed);
        Assert.Empty(rest);

        var ok = await proxy.WaitForLogAsync(l => l.Contains("task_type=TcpConnect") && l.Contains("user=root"), count: 2);
        Assert.Equal(2, ok.Length);
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("reason=ClientAuthFailed") && l.Contains("WrongPassword")));
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("reason=ClientAuthFailed") && l.Contains("UnknownUser")));
    }

    [Fact]
    public async Task WithoutAnonymousUser_NoAuthOnlyGetsNoAcceptable_AndSocks4IsClosed()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns));
        var socks = proxy.Endpoint("socks");

        await using var client = await Socks5TestClient.ConnectAsync(socks);
        Assert.Equal(Socks5AuthMethod.NoAcceptable, await client.GreetAsync(Socks5AuthMethod.NoAuth));
        Assert.True((await client.WaitClosedAsync(TimeSpan.FromSeconds(10))).Closed);
        Assert.NotEqual(0, (await SocksProxyTests.Curl($"--socks4 {socks} {origin.Url("/hello")}")).Code);
        Assert.Empty(origin.Seen);
    }

    [Fact]
    public async Task AnonymousUser_ServesUnknownNames_NoAuthAndSocks4_ButAKnownNameNeedsItsPassword()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, groupExtra: "anonymous_user: {name: anon}"));
        var socks = proxy.Endpoint("socks");

        foreach (var how in new[] { $"--socks5 nobody:x@{socks}", $"--socks5 {socks}", $"--socks4 {socks}" })
        {
            var (code, body, err) = await SocksProxyTests.Curl($"{how} {origin.Url("/hello")}");
            Assert.True(code == 0, how + ": " + err);
            Assert.Equal("hello", body);
        }
        Assert.NotEqual(0, (await SocksProxyTests.Curl($"--socks5 root:wrong@{socks} {origin.Url("/hello")}")).Code);
        var logs = await proxy.WaitForLogAsync(l => l.Contains("task_type=TcpConnect") && l.Contains("user=anon"), count: 3);
        Assert.Equal(3, logs.Length);
    }

    [Fact]
    public async Task UserRules_ForbiddenHostAndPort_GetNotAllowedByRuleset_UdpForbiddenByRequestFilter()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, rootExtra: """
            dst_host_filter_set: {exact: {forbid: [forbidden.test], default: permit}}
            dst_port_filter: {forbid: [1], default: permit}
            proxy_request_filter: {default: permit, forbid: [socks_udp_associate]}
            """));
        var socks = proxy.Endpoint("socks");

        foreach (var (target, expected) in new[]
        {
            (new UpstreamAddr("forbidden.test", origin.HttpPort), Socks5ReplyCode.NotAllowedByRuleset),
            (new UpstreamAddr("127.0.0.1", 1), Socks5ReplyCode.NotAllowedByRuleset),
            (new UpstreamAddr("127.0.0.1", origin.HttpPort), Socks5ReplyCode.Succeeded),
        })
        {
            await using var client = await Socks5TestClient.ConnectAsync(socks);
            await client.GreetAsync(Socks5AuthMethod.UsernamePassword);
            Assert.True(await client.LoginAsync("root", "toor"));
            Assert.Equal(expected, (await client.RequestAsync(Socks5Command.Connect, target)).Code);
        }
        await using (var udp = await Socks5TestClient.ConnectAsync(socks))
        {
            await udp.GreetAsync(Socks5AuthMethod.UsernamePassword);
            Assert.True(await udp.LoginAsync("root", "toor"));
            Assert.Equal(Socks5ReplyCode.NotAllowedByRuleset, (await udp.RequestAsync(Socks5Command.UdpAssociate, new UpstreamAddr("0.0.0.0", 0))).Code);
        }
        var refused = await proxy.WaitForLogAsync(l => l.Contains("reason=ForbiddenByRule") && l.Contains("user=root"), count: 3);
        Assert.Equal(3, refused.Length);
    }

    [Fact]
    public async Task SocksUseUdpAssociate_PerUser_RunsAStandardAssociate_WithTheUsersSocketLimit()
    {
        await using var dns = new TestDnsServer();
        await using var echo = new UdpEcho();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, rootExtra: "socks_use_udp_associate: true\nudp_sock_speed_limit: {shift: 10, north_packets: 1000}"));
        var target = new UpstreamAddr("127.0.0.1", echo.EndPoint.Port);
        await using (var session = await SocksUdpTests.UdpSession.OpenAsync(proxy, ("root", "toor")))
        {
            await session.SendAsync(target, Encoding.ASCII.GetBytes("ping"));
            var got = await session.ReceiveAsync();
            Assert.True(got is not null, "the echo came back");
            Assert.Equal("ping", Encoding.ASCII.GetString(got.Value.Payload));
        }
        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("task_type=UdpAssociate")));
        Assert.Contains("user=root", log);
    }

    [Fact]
    public async Task UsernameLengthBeyondTheBytesSent_ClosedAtNegotiationTimeout_AndTheNodeKeepsServing()
    {
        await using var dns = new TestDnsServer();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, socksExtra: "negotiation_timeout: 1s"));
        var socks = proxy.Endpoint("socks");

        await using var client = await Socks5TestClient.ConnectAsync(socks);
        await client.GreetAsync(Socks5AuthMethod.UsernamePassword);
        // ULEN says 200 bytes, two follow, then nothing
        await client.SendAsync(0x01, 200, (byte)'a', (byte)'b');
        var sw = Stopwatch.StartNew();
        var (closed, received) = await client.WaitClosedAsync(TimeSpan.FromSeconds(15));
        Assert.True(closed, "closed by the node");
        Assert.Empty(received);
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(14));

        var (code, body, err) = await SocksProxyTests.Curl($"--socks5 root:toor@{socks} {origin.Url("/hello")}");
        Assert.True(code == 0, err);
        Assert.Equal("hello", body);
        Assert.NotEmpty(await proxy.WaitForLogAsync(l => l.Contains("reason=ClientAppTimeout")));
    }

    [Fact]
    public async Task BlockedUser_GetsNotAllowedByRuleset_AfterItsDelay()
    {
        await using var dns = new TestDnsServer();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(dns, rootExtra: "block_and_delay: 500ms"));
        await using var client = await Socks5TestClient.ConnectAsync(proxy.Endpoint("socks"));
        await client.GreetAsync(Socks5AuthMethod.UsernamePassword);

        var w = new System.Buffers.ArrayBufferWriter<byte>();
        Socks5ClientWriter.WriteCredentials(w, "root", "toor");
        var sw = Stopwatch.StartNew();
        await client.Stream.WriteAsync(w.WrittenMemory);
        var reply = await client.ReadReplyAsync();
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(450), $"answered after {sw.Elapsed}");
        Assert.Equal(Socks5ReplyCode.NotAllowedByRuleset, reply.Code);
        Assert.True((await client.WaitClosedAsync(TimeSpan.FromSeconds(10))).Closed);
    }
}
