using System.Text;
using Proxy.Tests.Control;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>reload, reload-escaper and reload-server: files re-read, bad ones refused, running connections untouched.</summary>
[Collection(NodeCollection.Name)]
public sealed class ControlReloadTests
{
    private const string Main = """
        log: stdout
        resolver:
          - name: default
            type: c-ares
            server: 127.0.0.1
        escaper: escaper.yml
        server: server.yml
        """;

    private const string DirectEscaper = """
        name: direct
        type: direct_fixed
        resolver: default
        egress_network_filter: {default: allow, allow: [127.0.0.1]}
        """;

    private const string HttpServer = """
        name: http
        type: http_proxy
        escaper: direct
        listen: 127.0.0.1:0
        """;

    private static Task<ProxyUnderTest> StartAsync() => ProxyUnderTest.StartAsync(Main, new Dictionary<string, string>
    {
        ["escaper.yml"] = DirectEscaper,
        ["server.yml"] = HttpServer,
    });

    [Fact]
    public async Task ReloadEscaper_BadFileRefused_ThenNextRequestGoesTheNewWay_WhileAnOpenTunnelKeepsPassingBytes()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync();
        var control = proxy.Node.ControlEndpoint;
        await using var tunnel = await PbmWordsTests.OpenTunnelAsync(proxy, origin);

        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "escaper.yml"), DirectEscaper + "\nbind_iq: 1\n");
        var refused = await PbmRun.RunAsync(control, "reload-escaper", "direct");
        Assert.Equal(1, refused.Code);
        Assert.Contains("error: config refused, the running config is kept", refused.Err);
        Assert.Contains("unknown key 'bind_iq'", refused.Out);
        await using (var stillDirect = await PbmWordsTests.OpenTunnelAsync(proxy, origin)) { }

        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "escaper.yml"), "name: direct\ntype: dummy_deny\n");
        var reloaded = await PbmRun.RunAsync(control, "reload-escaper", "direct");
        Assert.Equal((0, "notice: escaper 'direct' reloaded"), (reloaded.Code, reloaded.Out.Trim()));

        await using (var next = await RawHttp.ConnectAsync(proxy.Endpoint()))
        {
            await next.SendAsync($"CONNECT 127.0.0.1:{origin.HttpPort} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n\r\n");
            Assert.NotEqual(200, (await next.ReadResponseAsync(headRequest: true)).Status);
        }
        await tunnel.SendAsync("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var hello = await tunnel.ReadResponseAsync();
        Assert.Equal((200, "hello"), (hello.Status, hello.BodyText));
    }

    [Fact]
    public async Task ReloadServer_WithTheSameListen_KeepsItsSocketAndOpenConnections()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync();
        var before = proxy.Endpoint();
        await using var keepAlive = await RawHttp.ConnectAsync(before);
        await keepAlive.SendAsync($"GET http://127.0.0.1:{origin.HttpPort}/hello HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n\r\n");
        Assert.Equal(200, (await keepAlive.ReadResponseAsync()).Status);

        // listen says port 0: a rebind would land on another port.
        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "server.yml"), HttpServer + "\ntcp_copy_buffer_size: 32K\n");
        var reloaded = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "reload-server", "http");
        Assert.Equal(0, reloaded.Code);

        var status = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "server", "http", "status");
        Assert.Contains($"listen: {before}", status.Lines);
        await keepAlive.SendAsync($"GET http://127.0.0.1:{origin.HttpPort}/hello HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n\r\n");
        Assert.Equal("hello", (await keepAlive.ReadResponseAsync()).BodyText);
        using var client = proxy.Client();
        Assert.Equal("hello", await client.GetStringAsync($"http://127.0.0.1:{origin.HttpPort}/hello"));
    }

    [Fact]
    public async Task Reload_WholeNode_StartsNewObjects_AndRemovesGoneOnes()
    {
        await using var proxy = await StartAsync();
        var control = proxy.Node.ControlEndpoint;
        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "server.yml"),
            HttpServer + "\n---\nname: second\ntype: http_proxy\nescaper: direct\nlisten: 127.0.0.1:0\n");

        var reload = await PbmRun.RunAsync(control, "reload");

        Assert.Equal(0, reload.Code);
        Assert.Contains("notice: node reloaded", reload.Out);
        Assert.Equal(["http", "second"], (await PbmRun.RunAsync(control, "list", "server")).Lines);
        Assert.Equal("online: true", (await PbmRun.RunAsync(control, "server", "second", "status")).Lines[0]);

        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "server.yml"), HttpServer);
        Assert.Equal(0, (await PbmRun.RunAsync(control, "reload")).Code);
        Assert.Equal(["http"], (await PbmRun.RunAsync(control, "list", "server")).Lines);
        var tree = await PbmRun.RunAsync(control, "actor", "hierarchy");
        Assert.True(await Resolvers.Eventually.True(async () =>
            !(await PbmRun.RunAsync(control, "actor", "hierarchy")).Lines.Contains("/user/node/servers/second")), tree.Out);
    }

    [Fact]
    public async Task Reload_WithABrokenMainFile_IsRefused_AndTheNodeKeepsServing()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await StartAsync();
        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "main.yml"), Main + "\nbogus_section: 1\n", Encoding.UTF8);

        var reload = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "reload");

        Assert.Equal(1, reload.Code);
        Assert.Contains("bogus_section", reload.Out);
        using var client = proxy.Client();
        Assert.Equal("hello", await client.GetStringAsync($"http://127.0.0.1:{origin.HttpPort}/hello"));
    }

    [Fact]
    public async Task ReloadUserGroup_RereadsItsFile_RefusesABadOne_AndKeepsPublishedDynamicUsers()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Main + "\nuser_group: user-group.yml\n", new Dictionary<string, string>
        {
            ["escaper.yml"] = DirectEscaper,
            ["server.yml"] = HttpServer + "\nuser_group: staff\n",
            ["user-group.yml"] = "name: staff\nstatic_users: [{name: bob, token: ~}]\n",
        });
        var control = proxy.Node.ControlEndpoint;
        var users = Path.Combine(proxy.Dir, "users.json");
        await File.WriteAllTextAsync(users, """[{"name": "dyn1", "token": null}]""");
        Assert.Equal(0, (await PbmRun.RunAsync(control, "user-group", "staff", "publish-user", users)).Code);
        Assert.Equal(200, await StatusAs(proxy, origin, "bob"));

        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "user-group.yml"), "name: staff\nstatic_users: [{name: alice, token: ~}]\nstatic_userz: 1\n");
        var refused = await PbmRun.RunAsync(control, "reload-user-group", "staff");
        Assert.Equal(1, refused.Code);
        Assert.Contains("error: config refused, the running config is kept", refused.Err);
        Assert.Contains("static_userz", refused.Out);
        Assert.Equal(["bob"], (await PbmRun.RunAsync(control, "user-group", "staff", "list-static-user")).Lines);

        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "user-group.yml"), "name: staff\nstatic_users: [{name: alice, token: ~}]\n");
        var reloaded = await PbmRun.RunAsync(control, "reload-user-group", "staff");
        Assert.Equal((0, "notice: user-group 'staff' reloaded"), (reloaded.Code, reloaded.Out.Trim()));
        Assert.Equal(["alice"], (await PbmRun.RunAsync(control, "user-group", "staff", "list-static-user")).Lines);
        Assert.Equal(["dyn1"], (await PbmRun.RunAsync(control, "user-group", "staff", "list-dynamic-user")).Lines);
        Assert.Equal(200, await StatusAs(proxy, origin, "alice"));
        Assert.Equal(407, await StatusAs(proxy, origin, "bob"));
        Assert.Equal(200, await StatusAs(proxy, origin, "dyn1"));
    }

    [Fact]
    public async Task ReloadUserGroup_AUserThatStaysKeepsItsCounters_AUserLeftOutHasItsLastEmit()
    {
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(
            Main + $"\nuser_group: user-group.yml\nstat:\n  target_udp: 127.0.0.1:{statsd.Port}\n  emit_interval: 100ms\n",
            new Dictionary<string, string>
            {
                ["escaper.yml"] = DirectEscaper,
                ["server.yml"] = HttpServer + "\nuser_group: staff\n",
                ["user-group.yml"] = "name: staff\nstatic_users: [{name: bob, token: ~}, {name: carl, token: ~}]\n",
            });
        Assert.Equal(200, await StatusAs(proxy, origin, "bob"));
        Assert.Equal(200, await StatusAs(proxy, origin, "bob"));
        Assert.Equal(200, await StatusAs(proxy, origin, "carl"));
        static string[] Tags(string user) => ["user_group:staff", $"user:{user}", "server:http", "request:http_forward"];
        Assert.True(await Eventually.True(() => statsd.Sum("user.request.total", Tags("bob")) == 2 && statsd.Sum("user.request.total", Tags("carl")) == 1));

        await File.WriteAllTextAsync(Path.Combine(proxy.Dir, "user-group.yml"), "name: staff\nstatic_users: [{name: bob, token: ~}, {name: alice, token: ~}]\n");
        Assert.Equal(0, (await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "reload-user-group", "staff")).Code);
        Assert.Equal(200, await StatusAs(proxy, origin, "bob"));
        Assert.Equal(407, await StatusAs(proxy, origin, "carl"));

        // bob's counters went on across the reload: one series (one stat_id), the three requests counted once each
        Assert.True(await Eventually.True(() => statsd.Sum("user.request.total", Tags("bob")) == 3),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("user:bob")).Take(30)));
        var bobIds = statsd.Lines.Where(l => l.StartsWith("g3proxy.user.request.alive:") && l.Contains(",user:bob,"))
            .Select(l => l.Split("|#")[1].Split(',').Single(t => t.StartsWith("stat_id:"))).Distinct().ToList();
        Assert.Single(bobIds);
        // carl left the group: after a few more emits its gauge is no longer sent, and its count stays 1
        var mark = statsd.Lines.Count();
        static bool Alive(string l, string user) => l.StartsWith("g3proxy.user.request.alive:") && l.Contains($",user:{user},");
        Assert.True(await Eventually.True(() => statsd.Lines.Skip(mark).Count(l => Alive(l, "bob")) >= 5));
        var after = statsd.Lines.Skip(mark).ToList();
        var third = after.Select((l, i) => (l, i)).Where(x => Alive(x.l, "bob")).Skip(2).First().i;
        Assert.DoesNotContain(after.Skip(third), l => Alive(l, "carl"));
        Assert.Equal(1, statsd.Sum("user.request.total", Tags("carl")));
    }

    private static async Task<int> StatusAs(ProxyUnderTest proxy, TestOrigin origin, string user)
    {
        await using var conn = await RawHttp.ConnectAsync(proxy.Endpoint());
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":any"));
        await conn.SendAsync($"GET http://127.0.0.1:{origin.HttpPort}/hello HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nProxy-Authorization: Basic {auth}\r\n\r\n");
        return (await conn.ReadResponseAsync()).Status;
    }

    [Fact]
    public async Task ReloadResolver_RereadsItsFile_RefusesABadOne_AndTheNextQueryUsesTheNewServer()
    {
        await using var first = new Resolvers.TestDnsServer();
        await using var second = new Resolvers.TestDnsServer();
        first.SetA("svc.test", 60, "192.0.2.1");
        second.SetA("svc.test", 60, "192.0.2.2");
        static string Resolver(Resolvers.TestDnsServer dns) =>
            $"name: default\ntype: c-ares\nserver: 127.0.0.1:{dns.EndPoint.Port}\n";
        const string main = "log: stdout\nresolver: resolver.yml\nescaper: escaper.yml\nserver: server.yml\n";
        await using var proxy = await ProxyUnderTest.StartAsync(main, new Dictionary<string, string>
        {
            ["resolver.yml"] = Resolver(first),
            ["escaper.yml"] = DirectEscaper,
            ["server.yml"] = HttpServer,
        });
        var control = proxy.Node.ControlEndpoint;
        var file = Path.Combine(proxy.Dir, "resolver.yml");
        Assert.Equal(["192.0.2.1"], (await PbmRun.RunAsync(control, "resolver", "default", "query", "svc.test", "-s", "ipv4only")).Lines);

        await File.WriteAllTextAsync(file, Resolver(second) + "serverz: 1\n");
        var refused = await PbmRun.RunAsync(control, "reload-resolver", "default");
        Assert.Equal(1, refused.Code);
        Assert.Contains("error: config refused, the running config is kept", refused.Err);
        Assert.Contains("serverz", refused.Out);
        Assert.Equal(["192.0.2.1"], (await PbmRun.RunAsync(control, "resolver", "default", "query", "svc.test", "-s", "ipv4only")).Lines);

        await File.WriteAllTextAsync(file, Resolver(second));
        var reloaded = await PbmRun.RunAsync(control, "reload-resolver", "default");
        Assert.Equal((0, "notice: resolver 'default' reloaded"), (reloaded.Code, reloaded.Out.Trim()));
        // the reloaded resolver is built anew: the old one's cache goes with it
        Assert.Equal(["192.0.2.2"], (await PbmRun.RunAsync(control, "resolver", "default", "query", "svc.test", "-s", "ipv4only")).Lines);
    }
}
