using System.Buffers;
using System.Diagnostics;
using System.Net;
using MessagePack;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Route.Query;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Stats;
using Proxy.Tests.Config.Escapers;

namespace Proxy.Tests.Escapers.Route.Query;

public sealed class RouteQueryEscaperTests
{
    private readonly HandleRegistry<IEscaper> _escapers = new(name => new DummyDenyEscaper(name));

    public RouteQueryEscaperTests()
    {
        foreach (var n in new[] { "east", "west", "fallback", "rogue" }) _escapers.Publish(n, new TaggedEscaper(n));
    }

    /// <summary>A route_query request as the agent reads it.</summary>
    private sealed record AgentRequest(byte[] Id, string User, string Host, string? ClientIp);

    private static AgentRequest Decode(byte[] datagram)
    {
        var r = new MessagePackReader(datagram);
        byte[] id = [];
        string user = "", host = "";
        string? client = null;
        var n = r.ReadMapHeader();
        for (var i = 0; i < n; i++)
        {
            switch (r.ReadString())
            {
                case "id": id = r.ReadBytes()!.Value.ToArray(); break;
                case "user": user = r.ReadString()!; break;
                case "host": host = r.ReadString()!; break;
                case "client_ip": client = r.ReadString(); break;
                case var k: throw new InvalidDataException(k);
            }
        }
        return new AgentRequest(id, user, host, client);
    }

    /// <summary>The agent's answer: the id back, the nodes as names, a ttl.</summary>
    private static byte[] Answer(byte[] id, string[] nodes, uint ttl)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(3);
        w.Write("id"); w.Write(id);
        w.Write("nodes"); w.WriteArrayHeader(nodes.Length);
        foreach (var node in nodes) w.Write(node);
        w.Write("ttl"); w.Write(ttl);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private RouteQueryEscaper Build(IPEndPoint agent, string requestTimeout = "2s", EscaperStats? stats = null)
    {
        var config = Assert.Single(EscaperConfigLoad.Load($"""
              - name: route
                type: route_query
                query_allowed_next: [east, west]
                fallback_node: fallback
                query_peer_addr: {agent}
                cache_request_timeout: {requestTimeout}
                query_pass_client_ip: true
            """).Escapers);
        return (RouteQueryEscaper)EscaperFactory.Create(config, new HandleRegistry<IResolver>(n => new DenyAllResolver(n)), TimeProvider.System, _escapers, stats);
    }

    private static EscapeRequest Request(string host, string? user = "alice") =>
        new(new TaskNotes
        {
            ServerType = "HttpProxy",
            ServerName = "t",
            StartAt = DateTimeOffset.UtcNow,
            User = user,
            ClientAddr = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50000),
        }, new UpstreamAddr(host, 443), EscapeWant.Tcp);

    private static async Task<string> Via(IEscaper route, EscapeRequest request)
    {
        var result = await route.EscapeAsync(request, CancellationToken.None);
        return result.Ok ? ((TaggedStream)result.Stream!).Tag : "error:" + result.Error;
    }

    [Fact]
    public async Task TheAgentsAnswerPicksTheNext_ThenTheCacheAnswers_AndNotAllowedOrEmptyFallsBack()
    {
        using var agent = new UdpTestPeer(d =>
        {
            var q = Decode(d);
            return q.Host switch
            {
                "e.example" => Answer(q.Id, ["east"], 60),
                "r.example" => Answer(q.Id, ["rogue"], 60),
                _ => Answer(q.Id, [], 0),
            };
        });
        var stats = new EscaperStats();
        using var route = Build(agent.Addr, stats: stats);

        Assert.Equal("east", await Via(route, Request("e.example")));
        Assert.Equal("east", await Via(route, Request("e.example")));
        Assert.Equal("fallback", await Via(route, Request("r.example")));
        Assert.Equal("fallback", await Via(route, Request("x.example", user: null)));

        var asked = agent.Received.Select(Decode).ToList();
        Assert.Equal(["e.example", "r.example", "x.example"], asked.Select(q => q.Host));
        Assert.Equal(["alice", "alice", ""], asked.Select(q => q.User));
        Assert.All(asked, q => Assert.Equal("192.0.2.10", q.ClientIp));
        Assert.All(asked, q => Assert.Equal(16, q.Id.Length));
        Assert.Equal(4, stats.TaskTotal);
    }

    [Fact]
    public async Task ASilentAgent_FallsBackWithinCacheRequestTimeout()
    {
        using var agent = new UdpTestPeer(_ => null);
        using var route = Build(agent.Addr, "200ms");

        var clock = Stopwatch.StartNew();
        var via = await Via(route, Request("e.example"));

        Assert.Equal("fallback", via);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
        Assert.Single(agent.Received);
    }

    [Theory]
    [InlineData("    query_allowed_next: [east]\n", "missing required key 'fallback_node'")]
    [InlineData("    fallback_node: f\n", "missing required key 'query_allowed_next'")]
    [InlineData("    fallback_node: f\n    query_allowed_next: [a, a]\n", "found duplicate next node: a")]
    [InlineData("    fallback_node: f\n    query_allowed_next: [a]\n    query_peer: x\n", "unknown key 'query_peer'")]
    [InlineData("    fallback_node: f\n    query_allowed_next: [route]\n", "route loop: route -> route")]
    public void Refusals_NameTheEntryAndKey(string keys, string message)
    {
        var e = EscaperConfigLoad.Refused("  - name: route\n    type: route_query\n" + keys);
        Assert.Contains("escaper 'route'", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Keys_AsG3WritesThem()
    {
        var c = Assert.IsType<RouteQueryEscaperConfig>(Assert.Single(EscaperConfigLoad.Load("""
              - name: route
                type: route_query
                query_allowed_next: [east]
                fallback_node: fallback
                query_peer_address: 127.0.0.1:2053
                cache_pick_policy: rr
                query_wait_timeout: 3s
                protective_cache_ttl: 5
                maximum_cache_ttl: 60
                vanish_after_expired: 10s
                query_socket_buffer: 64K
            """).Escapers));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2053), c.QueryPeerAddr);
        Assert.Equal(SelectivePickPolicy.RoundRobin, c.CachePickPolicy);
        Assert.Equal((5u, 60u), (c.ProtectiveCacheTtl, c.MaximumCacheTtl));
        Assert.Equal(TimeSpan.FromSeconds(10), c.CacheVanishWait);
        Assert.Equal([("query_allowed_next", "east"), ("fallback_node", "fallback")], c.NextEscapers);
    }
}
