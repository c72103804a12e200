using System.Net;
using System.Net.Sockets;
using Proxy.Tests.Control;

namespace Proxy.Tests.Integration;

/// <summary>Every pbm word against a running node, and how each fails.</summary>
[Collection(NodeCollection.Name)]
public sealed class PbmWordsTests
{
    [Fact]
    public async Task Version_Help_List_PrintWhatG3proxyCtlPrints()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var control = proxy.Node.ControlEndpoint;

        var version = await PbmRun.RunAsync(control, "version");
        Assert.Equal(0, version.Code);
        Assert.StartsWith("G3Actors ", version.Out);

        var help = await PbmRun.RunAsync(control, "help");
        Assert.Equal(0, help.Code);
        foreach (var word in new[] { "offline", "cancel-shutdown", "force-quit <server>", "force-quit-all", "reload", "list server",
                     "reload-escaper <escaper>", "server <server> status", "escaper <escaper> publish", "escaper <escaper> published",
                     "resolver <resolver> query <domain>", "user-group <user-group> publish-user <file>", "actor hierarchy" })
            Assert.Contains(word, help.Out);

        Assert.Equal(["http"], (await PbmRun.RunAsync(control, "list", "server")).Lines);
        Assert.Equal(["direct"], (await PbmRun.RunAsync(control, "list", "escaper")).Lines);
        Assert.Equal(["default"], (await PbmRun.RunAsync(control, "list", "resolver")).Lines);
        var groups = await PbmRun.RunAsync(control, "list", "user-group");
        Assert.Equal((0, ""), (groups.Code, groups.Out)); // none configured
        Assert.Equal(0, (await PbmRun.RunAsync(control, "list", "auditor")).Code);
    }

    [Fact]
    public async Task ServerStatus_CountsTheRequestsMade()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        using (var client = proxy.Client())
        {
            for (var i = 0; i < 3; i++)
                Assert.Equal("hello", await client.GetStringAsync($"http://127.0.0.1:{origin.HttpPort}/hello"));
        }

        var status = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "server", "http", "status");

        Assert.Equal(0, status.Code);
        Assert.Equal("online: true", status.Lines[0]);
        Assert.Matches(@"^alive tasks: \d+$", status.Lines[1]);
        Assert.Equal("total conn: 1", status.Lines[2]);
        Assert.Equal("total task: 3", status.Lines[3]);
        Assert.Equal($"listen: {proxy.Endpoint()}", status.Lines[4]);
    }

    [Fact]
    public async Task ActorHierarchy_PrintsTheNodesTree()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var tree = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "actor", "hierarchy");

        Assert.Equal(0, tree.Code);
        foreach (var path in new[] { "/user/node", "/user/node/control", "/user/node/servers/http", "/user/node/escapers/direct/handle", "/user/node/resolvers/default" })
            Assert.Contains(tree.Lines, l => l == path);
    }

    [Fact]
    public async Task ResolverQuery_AnswersThroughTheResolver_AndRefusesBadArguments()
    {
        await using var dns = new Resolvers.TestDnsServer();
        dns.SetA("svc.test", 60, "192.0.2.7");
        dns.SetAaaa("svc.test", 60, "2001:db8::7");
        var yaml = ProxyUnderTest.HttpProxyYaml().Replace("    server: 127.0.0.1\n", $"    server: 127.0.0.1:{dns.EndPoint.Port}\n");
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);
        var control = proxy.Node.ControlEndpoint;

        var both = await PbmRun.RunAsync(control, "resolver", "default", "query", "svc.test");
        Assert.Equal(["192.0.2.7", "2001:db8::7"], both.Lines);
        var v6 = await PbmRun.RunAsync(control, "resolver", "default", "query", "svc.test", "-s", "ipv6only");
        Assert.Equal(["2001:db8::7"], v6.Lines);

        var badStrategy = await PbmRun.RunAsync(control, "resolver", "default", "query", "svc.test", "-s", "sideways");
        Assert.Equal(1, badStrategy.Code);
        Assert.Contains("error: invalid query strategy", badStrategy.Err);
        var unknown = await PbmRun.RunAsync(control, "resolver", "nope", "query", "svc.test");
        Assert.Equal((1, "error: no resolver named 'nope'"), (unknown.Code, unknown.Err.Trim()));
    }

    [Theory]
    [InlineData("error: no server named 'nope'", "server", "nope", "status")]
    [InlineData("error: no server named 'nope'", "force-quit", "nope")]
    [InlineData("error: no server named 'nope'", "reload-server", "nope")]
    [InlineData("error: no escaper named 'nope'", "reload-escaper", "nope")]
    [InlineData("error: no resolver named 'nope'", "reload-resolver", "nope")]
    [InlineData("error: no escaper named 'nope'", "escaper", "nope", "publish", "{}")]
    [InlineData("error: invalid JSON:", "escaper", "direct", "publish", "{\"ipv4\": ")]
    [InlineData("error: publish is not supported by escaper type DirectFixed", "escaper", "direct", "publish", "[\"192.0.2.1\"]")]
    [InlineData("error: publish is not supported by escaper type DirectFixed", "escaper", "direct", "published")]
    [InlineData("error: not supported yet: reload-auditor", "reload-auditor", "a")]
    [InlineData("error: no user-group named 'g'", "reload-user-group", "g")]
    [InlineData("error: no user-group named 'g'", "user-group", "g", "list-static-user")]
    [InlineData("error: no user-group named 'g'", "user-group", "g", "list-dynamic-user")]
    [InlineData("error: cannot list 'everything'", "list", "everything")]
    [InlineData("error: unknown command 'frobnicate now'", "frobnicate", "now")]
    public async Task BadWords_ExitNonZero_WithTheReason(string expected, params string[] words)
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var result = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, words);

        Assert.Equal(1, result.Code);
        Assert.StartsWith(expected, result.Err);
        Assert.DoesNotContain("notice:", result.Out);
    }

    [Fact]
    public async Task UserGroup_ListsStaticUsers_PublishesDynamicOnesFromAFile_AndRefusesBadJson()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml()
            + "\nuser_group:\n  - name: staff\n    static_users: [{name: bob, token: ~}, {name: alice, token: ~}]\n");
        var control = proxy.Node.ControlEndpoint;
        var file = Path.Combine(proxy.Dir, "users.json");
        await File.WriteAllTextAsync(file, """[{"name": "dyn1", "token": null}, {"name": "dyn2", "token": null}]""");

        Assert.Equal(["staff"], (await PbmRun.RunAsync(control, "list", "user-group")).Lines);
        Assert.Equal(["alice", "bob"], (await PbmRun.RunAsync(control, "user-group", "staff", "list-static-user")).Lines);
        Assert.Empty((await PbmRun.RunAsync(control, "user-group", "staff", "list-dynamic-user")).Lines);

        var publish = await PbmRun.RunAsync(control, "user-group", "staff", "publish-user", file);
        Assert.Equal(0, publish.Code);
        Assert.StartsWith("notice: ", publish.Out);
        Assert.True(await Resolvers.Eventually.True(async () =>
            (await PbmRun.RunAsync(control, "user-group", "staff", "list-dynamic-user")).Lines.SequenceEqual(["dyn1", "dyn2"])));

        await File.WriteAllTextAsync(file, "[{\"name\": ");
        var bad = await PbmRun.RunAsync(control, "user-group", "staff", "publish-user", file);
        Assert.Equal(1, bad.Code);
        Assert.StartsWith("error: invalid JSON", bad.Err);
    }

    [Fact]
    public async Task PublishFromAFile_ReadsItLocally_AndAMissingFileIsAUsageError()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var file = Path.Combine(proxy.Dir, "peers.json");
        await File.WriteAllTextAsync(file, "{\"broken\": ");

        var bad = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "escaper", "direct", "publish", "-f", file);
        Assert.Equal(1, bad.Code);
        Assert.StartsWith("error: invalid JSON", bad.Err);

        var missing = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "escaper", "direct", "publish", "-f", file + ".missing");
        Assert.Equal(2, missing.Code);
        Assert.Contains("no such file", missing.Err);
    }

    [Fact]
    public async Task UnreachableNode_FailsWithinThreeSeconds()
    {
        // Closed port: refused at once.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closed = (IPEndPoint)probe.LocalEndpoint;
        probe.Stop();
        var refused = await PbmRun.RunRawAsync(closed.ToString(), "version");
        Assert.Equal(3, refused.Code);
        Assert.Contains($"error: cannot reach node at {closed}", refused.Err);

        // A socket that accepts and never speaks: the 3 s limit decides.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var mute = await PbmRun.RunRawAsync(silent.LocalEndpoint.ToString()!, "version");
        Assert.Equal(3, mute.Code);
        Assert.Contains("no answer within 3s", mute.Err);
        Assert.InRange(started.Elapsed.TotalSeconds, 2.5, 10);
    }

    [Fact]
    public async Task ForceQuit_EndsRunningTunnels()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var one = await OpenTunnelAsync(proxy, origin);
        await using var two = await OpenTunnelAsync(proxy, origin);

        var quit = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "force-quit", "http");
        Assert.Equal(0, quit.Code);
        Assert.StartsWith("notice: ", quit.Out);
        Assert.True(await one.ClosedByPeerAsync());
        Assert.True(await two.ClosedByPeerAsync());

        await using var three = await OpenTunnelAsync(proxy, origin);
        var all = await PbmRun.RunAsync(proxy.Node.ControlEndpoint, "force-quit-all");
        Assert.Equal(0, all.Code);
        Assert.True(await three.ClosedByPeerAsync());
    }

    internal static async Task<RawHttp> OpenTunnelAsync(ProxyUnderTest proxy, TestOrigin origin)
    {
        var raw = await RawHttp.ConnectAsync(proxy.Endpoint());
        await raw.SendAsync($"CONNECT 127.0.0.1:{origin.HttpPort} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\n\r\n");
        var head = await raw.ReadResponseAsync(headRequest: true);
        Assert.Equal(200, head.Status);
        return raw;
    }
}
