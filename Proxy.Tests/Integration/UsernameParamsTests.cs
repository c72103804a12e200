using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Integration;

/// <summary>
/// http_proxy's username_params and egress_path_selection_header: the Basic username names the next
/// proxy of a proxy_http escaper (its proxy_addr is dead, so only the derived address can carry the
/// request), authentication sees the name without its params, and bad params get 400.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class UsernameParamsTests
{
    private const string RootToken = "{salt: 4e8f8a4e37f0fa1b, md5: d9d963915b9815d4cc39c196c2868900, sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4}";

    private static string GatewayYaml(int nextProxyPort) => $"""
        log: stdout
        escaper:
          - name: chain
            type: proxy_http
            proxy_addr: 127.0.0.1:1
        server:
          - name: http
            type: http_proxy
            escaper: chain
            listen: 127.0.0.1:0
            user_group: staff
            egress_path_selection_header: X-Egress-Path
            username_params:
              keys_for_host: [region, pool]
              http_port: {nextProxyPort}
        user_group:
          - name: staff
            static_users:
              - name: root
                token: {RootToken}
        """;

    private static string Get(string url, string user, string extra = "") =>
        $"GET {url} HTTP/1.1\r\nHost: {new Uri(url).Authority}\r\nProxy-Authorization: {BasicAuth.Encode(user, "toor")}\r\n{extra}\r\n";

    [Fact]
    public async Task UsernameParams_PickTheNextProxy_AuthUsesTheBaseName_BadParamsGet400()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var next = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var gateway = await ProxyUnderTest.StartAsync(GatewayYaml(next.Endpoint().Port));

        await using (var raw = await RawHttp.ConnectAsync(gateway.Endpoint()))
        {
            await raw.SendAsync(Get(origin.Url("/hello"), "root+region=localhost", "X-Egress-Path: 2\r\n"));
            var ok = await raw.ReadResponseAsync();
            Assert.Equal(200, ok.Status);
            Assert.Equal("hello", ok.BodyText);
        }
        var seen = Assert.Single(origin.Seen);
        Assert.DoesNotContain("X-Egress-Path", seen.Headers.Keys, StringComparer.OrdinalIgnoreCase);
        var log = Assert.Single(await gateway.WaitForLogAsync(l => l.Contains("task_type=HttpForward")));
        Assert.Contains("user=root ", log);
        Assert.Contains($"next_peer_addr=127.0.0.1:{next.Endpoint().Port}", log);
        Assert.Contains($"chain:upstream=127.0.0.1:{next.Endpoint().Port}", log);

        // Without params the escaper's own proxy_addr (dead) is used: the request fails upstream.
        await using (var raw = await RawHttp.ConnectAsync(gateway.Endpoint()))
        {
            await raw.SendAsync(Get(origin.Url("/hello"), "root"));
            Assert.True((await raw.ReadResponseAsync()).Status >= 500);
        }

        // A key out of hierarchy, an unknown key and a non-numeric path id: 400, nothing forwarded.
        foreach (var (user, extra) in new[] { ("root+pool=p1", ""), ("root+colour=red", ""), ("root+region=localhost", "X-Egress-Path: two\r\n") })
        {
            await using var raw = await RawHttp.ConnectAsync(gateway.Endpoint());
            await raw.SendAsync(Get(origin.Url("/hello"), user, extra));
            var rsp = await raw.ReadResponseAsync();
            Assert.Equal(400, rsp.Status);
            Assert.True(await raw.ClosedByPeerAsync());
        }
        Assert.Single(origin.Seen);
        Assert.Equal(3, (await gateway.WaitForLogAsync(l => l.Contains("reason=InvalidClientProtocol"), count: 3)).Length);
    }
}
