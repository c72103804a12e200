using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Integration;

/// <summary>
/// A user's egress_path_id_map and egress_path_value_map pick the way out (g3: the user's maps are read
/// before the server's selection): route_select takes the next escaper the user names by string id, and
/// direct_float binds to the address the user gives as a JSON value. The origin sees which exit was used.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class UserEgressPathTests
{
    /// <summary>
    /// route_select over two fixed exits and a direct_float whose cache holds bind ips "two" and "three";
    /// http_proxy goes through route_select, socks_proxy straight to the float.
    /// </summary>
    private static async Task<ProxyUnderTest> StartAsync(string dir, bool udpAssociate = false)
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "float4.json"),
            """[{"ip": "127.0.0.2", "id": "two"}, {"ip": "127.0.0.3", "id": "three"}]""");
        return await ProxyUnderTest.StartAsync($$"""
            log: stdout
            resolver:
              - name: default
                type: c-ares
                server: 127.0.0.1
            escaper:
              - name: select
                type: route_select
                next_nodes: [exit2, exit3, float]
            {{Exit("exit2", "bind_ip: 127.0.0.2")}}
            {{Exit("exit3", "bind_ip: 127.0.0.3")}}
            {{Exit("float", $"type: direct_float\n    cache_ipv4: {dir}/float4.json")}}
            server:
              - name: http
                type: http_proxy
                escaper: select
                user_group: staff
                listen: 127.0.0.1:0
              - name: socks
                type: socks_proxy
                escaper: float
                user_group: staff
                use_udp_associate: {{(udpAssociate ? "true" : "false")}}
                listen: 127.0.0.1:0
            user_group:
              - name: staff
                static_users:
                  - name: alice
                    token: {{HttpProxyUserTests.RootToken}}
                    egress_path_id_map: {select: exit3}
                  - name: bob
                    token: {{HttpProxyUserTests.RootToken}}
                    egress_path_id_map: {select: float}
                    egress_path_value_map: {float: '{"ip": "127.0.0.4"}'}
                  - name: carol
                    token: {{HttpProxyUserTests.RootToken}}
                    egress_path_id_map: {select: nowhere, float: three}
            """);
    }

    /// <summary>A direct escaper entry (direct_fixed unless <paramref name="keys"/> says a type) that may reach 127.0.0.1.</summary>
    private static string Exit(string name, string keys) =>
        $"  - name: {name}\n" + (keys.StartsWith("type:", StringComparison.Ordinal) ? "" : "    type: direct_fixed\n")
        + $"    {keys}\n    resolver: default\n    egress_network_filter: {{default: allow, allow: [127.0.0.1]}}";

    [Fact]
    public async Task UserMaps_PickTheExit_TheOriginSeesIt()
    {
        await using var origin = await TestOrigin.StartAsync();
        var dir = Directory.CreateTempSubdirectory("g3a-egress-").FullName;
        try
        {
            await using var node = await StartAsync(dir);

            async Task<(int Status, string Body)> As(string user)
            {
                await using var raw = await RawHttp.ConnectAsync(node.Endpoint());
                var url = origin.Url("/peer");
                await raw.SendAsync($"GET {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\nProxy-Authorization: {BasicAuth.Encode(user, "toor")}\r\n\r\n");
                var rsp = await raw.ReadResponseAsync();
                return (rsp.Status, rsp.BodyText);
            }

            for (var i = 0; i < 3; i++)
            {
                var alice = await As("alice");
                Assert.Equal(200, alice.Status);
                Assert.StartsWith("127.0.0.3 ", alice.Body);
                var bob = await As("bob");
                Assert.Equal(200, bob.Status);
                Assert.StartsWith("127.0.0.4 ", bob.Body);
            }
            // an id that names none of route_select's next nodes fails the task, as g3 does
            Assert.Equal(503, (await As("carol")).Status);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>direct_float behind socks_proxy: the user's id map names a published bind ip, and UDP leaves from it.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UserIdMap_PicksTheBindIp_ForSocksUdp(bool associate)
    {
        await using var echo = new UdpEcho();
        var dir = Directory.CreateTempSubdirectory("g3a-egress-").FullName;
        try
        {
            await using var node = await StartAsync(dir, associate);
            var target = new UpstreamAddr("127.0.0.1", echo.EndPoint.Port);

            // a task's socket keeps its bind: five tasks, so a random pick would show (1 in 32 all-.3 by chance)
            for (var i = 0; i < 5; i++)
            {
                await using var session = await SocksUdpTests.UdpSession.OpenAsync(node, ("carol", "toor"));
                await session.SendAsync(target, [(byte)i]);
                Assert.NotNull(await session.ReceiveAsync(TimeSpan.FromSeconds(10)));
            }

            Assert.Equal(5, echo.Sources.Count);
            Assert.All(echo.Sources, s => Assert.Equal("127.0.0.3", s.Address.ToString()));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
