using System.Diagnostics;
using System.Text.RegularExpressions;
using Proxy.Actors.Config.Values;
using Proxy.Tests.Cluster;
using Proxy.Tests.Control;
using Proxy.Tests.Resolvers;
using Xunit.Abstractions;

namespace Proxy.Tests.Integration;

/// <summary><c>pbm cluster ...</c>, <c>pbm route ...</c> and <c>--cluster</c> against two nodes in one cluster.</summary>
[Collection(NodeCollection.Name)]
public sealed class FleetControlTests(FleetNodes fleet, ITestOutputHelper output) : IClassFixture<FleetNodes>
{
    [Fact]
    public async Task ClusterShow_FromEitherNode_ListsBothMembers_AndLeaveDownRefuseUnknownAddresses()
    {
        var a = fleet.AddressOf(fleet.A);
        var b = fleet.AddressOf(fleet.B);
        foreach (var (node, self, region) in new[] { (fleet.A, a, "a"), (fleet.B, b, "b") })
        {
            var show = await PbmRun.RunAsync(node.Node.ControlEndpoint, "cluster", "show");
            output.WriteLine(show.Out);
            Assert.Equal(0, show.Code);
            Assert.Equal($"this node: {self} Up, region {region}", show.Lines[0]);
            Assert.Matches(@"^address\s+region\s+roles\s+status\s+reachability$", show.Lines[1]);
            Assert.Contains(show.Lines, l => Regex.IsMatch(l, $@"^{a}\s+a\s+-\s+Up\s+reachable$"));
            Assert.Contains(show.Lines, l => Regex.IsMatch(l, $@"^{b}\s+b\s+-\s+Up\s+reachable$"));
            Assert.EndsWith("notice: 2 member(s)", show.Out.Trim());
        }

        var unknown = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "cluster", "down", "127.0.0.1:9");
        Assert.Equal(1, unknown.Code);
        Assert.Equal($"error: no cluster member at 127.0.0.1:9 (members: {string.Join(", ", new[] { a, b }.Order(StringComparer.Ordinal))})", unknown.Err.Trim());
        var leave = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "cluster", "leave", "akka.tcp://G3Actors@127.0.0.1:9");
        Assert.Equal(1, leave.Code);
        Assert.StartsWith("error: no cluster member at 127.0.0.1:9", leave.Err);
        var bad = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "cluster", "leave", "nonsense");
        Assert.Equal((1, "error: invalid member address 'nonsense' (HOST:PORT or akka.tcp://G3Actors@HOST:PORT)"), (bad.Code, bad.Err.Trim()));
    }

    [Fact]
    public async Task RouteSetOnOneNode_IsListedOnTheOther_WithinASecond()
    {
        var set = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "route", "set", "b", "child", "Example.NET");
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, set.Code);
        Assert.Equal("notice: route child:example.net -> b set (replicated to every node)", set.Out.Trim());
        PbmRun.Result listed = null!;
        Assert.True(await Eventually.True(async () =>
        {
            listed = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "route", "list");
            return listed.Lines.Any(l => l.StartsWith('b') && l.EndsWith("example.net", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(10)), "the rule never reached node b");
        output.WriteLine($"route set on a listed on b after {clock.ElapsedMilliseconds} ms (pbm round trips included)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"replication took {clock.Elapsed}");
        Assert.Matches(@"^b\s+child\s+example\.net$", listed.Lines[0]);

        // A region nobody serves is accepted with a warning; the rule is the operator's to set ahead.
        var ahead = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "route", "set", "z", "subnet", "10.1.2.3/16");
        Assert.Equal(0, ahead.Code);
        Assert.StartsWith("warning: no member of region 'z' is up", ahead.Lines[0]);
        Assert.True(await Eventually.True(async () =>
            (await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "route", "list")).Lines.Any(l => l.EndsWith("10.1.0.0/16", StringComparison.Ordinal))));

        var removed = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "route", "remove", "subnet", "10.1.0.0/16");
        Assert.Equal((0, "notice: route subnet:10.1.0.0/16 removed"), (removed.Code, removed.Out.Trim()));
        Assert.True(await Eventually.True(async () =>
            !(await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "route", "list")).Out.Contains("10.1.0.0/16", StringComparison.Ordinal)));
        await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "route", "remove", "child", "example.net");
    }

    [Theory]
    [InlineData("error: no route rule exact:nowhere.test", "route", "remove", "exact", "nowhere.test")]
    [InlineData("error: unknown rule kind 'suffix' (one of: exact, child, regex, subnet)", "route", "set", "b", "suffix", "x.test")]
    [InlineData("error: invalid IP network 'ten.0/8'", "route", "set", "b", "subnet", "ten.0/8")]
    [InlineData("error: invalid regex '(unclosed'", "route", "set", "b", "regex", "(unclosed")]
    [InlineData("error: invalid region 'b c'", "route", "set", "b c", "exact", "x.test")]
    [InlineData("error: --cluster needs a command", "--cluster")]
    public async Task BadRouteAndFanOutWords_ExitNonZero_WithTheReason(string expected, params string[] words)
    {
        var result = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, words);

        Assert.Equal(1, result.Code);
        Assert.StartsWith(expected, result.Err);
    }

    [Fact]
    public async Task ClusterPublish_ToAProxyFloatOfTheSameName_MakesBothNodesUseThePublishedPeer()
    {
        await using var peer = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        var url = $"http://127.0.0.1:{fleet.Origin.HttpPort}/hello";
        using (var before = fleet.B.Client())
            Assert.NotEqual(System.Net.HttpStatusCode.OK, (await before.GetAsync(url)).StatusCode); // no peer published yet

        var publish = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint,
            "escaper", "float", "publish", $$"""{"type": "http", "addr": "{{peer.Endpoint()}}"}""", "--cluster");
        output.WriteLine(publish.Out + publish.Err);

        Assert.Equal(0, publish.Code);
        Assert.Contains($"{fleet.AddressOf(fleet.A)}: notice: published 1 peer(s)", publish.Lines);
        Assert.Contains($"{fleet.AddressOf(fleet.B)}: notice: published 1 peer(s)", publish.Lines);
        Assert.Equal("notice: 2 member(s) answered", publish.Lines[^1]);
        foreach (var node in new[] { fleet.A, fleet.B })
        {
            using var client = node.Client();
            Assert.Equal("hello", await client.GetStringAsync(url));
        }
        // Both requests went through the published peer: its server counted them, and each node reads the peer back.
        var status = await PbmRun.RunAsync(peer.Node.ControlEndpoint, "server", "http", "status");
        Assert.Equal("total task: 2", status.Lines[3]);
        var readBack = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "--cluster", "escaper", "float", "published");
        Assert.Equal(0, readBack.Code);
        Assert.Equal(2, readBack.Lines.Count(l => l.Contains(peer.Endpoint().ToString(), StringComparison.Ordinal)));

        // One command, one member's error each: the fan-out fails and names both.
        var missing = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "--cluster", "escaper", "nope", "published");
        Assert.Equal(1, missing.Code);
        Assert.Contains($"{fleet.AddressOf(fleet.A)}: error: no escaper named 'nope'", missing.Lines);
        Assert.StartsWith("error: 2 of 2 member(s) failed: ", missing.Err);
    }

    [Fact]
    public async Task FanOut_NamesAMemberThatDoesNotAnswer_AndClusterDownRemovesIt()
    {
        // A member without a control plane (a bare cluster system) is Up but never answers.
        await using var others = new ClusterTestNodes();
        var port = ClusterTestNodes.FreePort();
        var (mute, _) = others.Start(port, [$"127.0.0.1:{fleet.SeedPort}"], "c",
            new RelayAdvertConfig { Server = "relay", Address = "127.0.0.1:7003", TlsName = "relay-c.test" }, abruptStop: true);
        Assert.True(await Eventually.True(() => ClusterTestNodes.AllUp(fleet.A.Node.ClusterSystem, 3) && ClusterTestNodes.AllUp(mute, 3),
            TimeSpan.FromSeconds(30)), "the third member did not join");
        // Its relay is in the directory as node b sees it (what route_region would use).
        PbmRun.Result relays = null!;
        Assert.True(await Eventually.True(async () =>
            (relays = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "cluster", "relays")).Out.Contains("relay-c.test", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20)), "the relay never showed: " + relays?.Out);
        Assert.NotNull(relays);
        Assert.Matches(@"^region\s+address\s+tls_name\s+load\s+server\s+member$", relays.Lines[0]);
        Assert.Matches($@"^c\s+127\.0\.0\.1:7003\s+relay-c\.test\s+0\s+relay\s+127\.0\.0\.1:{port}$", relays.Lines[1]);

        var clock = Stopwatch.StartNew();
        var version = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "--cluster", "version");
        Assert.Equal(1, version.Code);
        Assert.Contains($"127.0.0.1:{port}: error: no answer within 3s", version.Lines);
        Assert.Contains(version.Lines, l => l.StartsWith(fleet.AddressOf(fleet.B) + ": G3Actors ", StringComparison.Ordinal));
        Assert.Equal($"error: 1 of 3 member(s) failed: 127.0.0.1:{port} (no answer within 3s)", version.Err.Trim());
        Assert.InRange(clock.Elapsed.TotalSeconds, 2.5, 30);

        var down = await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "cluster", "down", $"127.0.0.1:{port}");
        Assert.Equal((0, $"notice: 127.0.0.1:{port} is downed"), (down.Code, down.Out.Trim()));
        Assert.True(await Eventually.True(async () =>
        {
            var show = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "cluster", "show");
            return !show.Out.Contains($"127.0.0.1:{port}", StringComparison.Ordinal) && show.Out.Contains("2 member(s)", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20)), "the downed member is still listed");
        Assert.True(await Eventually.True(fleet.BackToTwo, TimeSpan.FromSeconds(20)), "b still lists the downed member");
        Assert.Equal("notice: no live relay", (await PbmRun.RunAsync(fleet.B.Node.ControlEndpoint, "cluster", "relays")).Out.Trim());
    }

    [Fact]
    public async Task ClusterLeave_MemberLeaves_ComesBackAsANewIncarnation_AndAnswersFanOutAgain()
    {
        var c = await ProxyUnderTest.StartAsync(FleetNodes.Yaml,
            options: o => o with { Seeds = [$"127.0.0.1:{fleet.SeedPort}"], Region = "c" });
        try
        {
            await LeaveAndRejoin(c);
        }
        finally
        {
            // The fixture's other tests expect their two members only.
            await c.DisposeAsync();
            Assert.True(await Eventually.True(fleet.BackToTwo, TimeSpan.FromSeconds(40)), "c is still a member after its shutdown");
        }
    }

    private async Task LeaveAndRejoin(ProxyUnderTest c)
    {
        Assert.True(await Eventually.True(() => ClusterTestNodes.AllUp(fleet.A.Node.ClusterSystem, 3), TimeSpan.FromSeconds(30)), "c did not join");
        var address = fleet.AddressOf(c);
        var first = Akka.Cluster.Cluster.Get(c.Node.ClusterSystem).SelfUniqueAddress;

        var leave = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "cluster", "leave", "akka.tcp://G3Actors@" + address);

        Assert.Equal((0, $"notice: {address} is leaving the cluster"), (leave.Code, leave.Out.Trim()));
        // The node is still running: like a downed one it joins again as a new incarnation (docs/cluster.md).
        Assert.True(await Eventually.True(() => c.Node.ClusterIncarnations == 2
            && Akka.Cluster.Cluster.Get(fleet.A.Node.ClusterSystem).State.Members.Any(m =>
                m.Address == first.Address && m.UniqueAddress != first && m.Status == Akka.Cluster.MemberStatus.Up),
            TimeSpan.FromSeconds(40)), "the node did not come back as a new incarnation");
        // Its fleet endpoint runs in the new incarnation too.
        PbmRun.Result fan = null!;
        Assert.True(await Eventually.True(async () =>
            (fan = await PbmRun.RunAsync(fleet.A.Node.ControlEndpoint, "--cluster", "version")).Code == 0, TimeSpan.FromSeconds(20)),
            "fan-out after the rejoin: " + fan?.Out + fan?.Err);
        Assert.NotNull(fan);
        Assert.Contains(fan.Lines, l => l.StartsWith(address + ": G3Actors ", StringComparison.Ordinal));
    }
}
