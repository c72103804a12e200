using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols.CertGen;
using Proxy.Tests.Resolvers;
using Agent = Proxy.Actors.Audit.CertAgent.TlsCertAgent;

namespace Proxy.Tests.Audit.CertAgent;

/// <summary>A generator that reads requests and never answers: the agent's bounded waits and protective cache.</summary>
public sealed class CertAgentTimeoutTests : IDisposable
{
    private readonly UdpClient _silent = new(new IPEndPoint(IPAddress.Loopback, 0));
    private IPEndPoint Peer => (IPEndPoint)_silent.Client.LocalEndPoint!;

    public void Dispose() => _silent.Dispose();

    private async Task<CertGenRequest> ReceivedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var got = await _silent.ReceiveAsync(cts.Token);
        return CertGenCodec.DecodeRequest(got.Buffer, out var error) ?? throw new InvalidDataException(error);
    }

    [Fact]
    public async Task NoAnswer_FailsAtQueryWaitTimeout_ThenProtectiveTtlAnswersWithoutAQuery_ThenAsksAgain()
    {
        var time = new ManualTimeProvider();
        await using var agent = new Agent(new CertAgentConfig
        {
            QueryPeerAddr = Peer, QueryWaitTimeout = TimeSpan.FromSeconds(2), CacheRequestTimeout = TimeSpan.FromSeconds(10),
            ProtectiveCacheTtl = 10,
        }, time);

        var fetch = agent.FetchAsync("silent.example.com");
        var sent = await ReceivedAsync();
        Assert.Equal("silent.example.com", sent.Host);
        Assert.False(fetch.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(2));
        var first = await fetch.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(first.Ok);
        Assert.Contains("no answer for silent.example.com", first.Error);
        Assert.Contains("within 2s", first.Error);

        // within protective_cache_ttl: failed at once, the generator is not asked again
        var second = agent.FetchAsync("silent.example.com");
        Assert.True(second.IsCompleted);
        Assert.False((await second).Ok);
        Assert.Equal(1, agent.QueriesSent);

        // past it (not yet vanished): still answered from cache, and refreshed in the background, as g3 does
        time.Advance(TimeSpan.FromSeconds(11));
        var third = await agent.FetchAsync("silent.example.com");
        Assert.False(third.Ok);
        Assert.Equal(2, agent.QueriesSent);
        Assert.Equal("silent.example.com", (await ReceivedAsync()).Host);
    }

    [Fact]
    public async Task CallerWait_IsBoundedByCacheRequestTimeout()
    {
        var time = new ManualTimeProvider();
        await using var agent = new Agent(new CertAgentConfig
        {
            QueryPeerAddr = Peer, QueryWaitTimeout = TimeSpan.FromSeconds(4), CacheRequestTimeout = TimeSpan.FromSeconds(1),
        }, time);

        var fetch = agent.FetchAsync("slow.example.com");
        await ReceivedAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await fetch.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(result.Ok);
        Assert.Contains("no certificate for slow.example.com", result.Error);
        Assert.Contains("within 1s", result.Error);
    }

    [Fact]
    public async Task NoAnswer_OnTheRealClock_FailsNearTheTimeout()
    {
        await using var agent = new Agent(new CertAgentConfig { QueryPeerAddr = Peer, QueryWaitTimeout = TimeSpan.FromMilliseconds(300) },
            TimeProvider.System);

        var watch = Stopwatch.StartNew();
        var result = await agent.FetchAsync("dead.example.com");
        watch.Stop();

        Assert.False(result.Ok);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task NothingListening_IsAFailureValue_NotAnException()
    {
        var port = Peer.Port;
        _silent.Dispose(); // ICMP port unreachable from now on
        await using var agent = new Agent(new CertAgentConfig
        {
            QueryPeerAddr = new IPEndPoint(IPAddress.Loopback, port), QueryWaitTimeout = TimeSpan.FromMilliseconds(200),
        }, TimeProvider.System);

        var first = await agent.FetchAsync("nobody.example.com");
        var second = await agent.FetchAsync("nobody2.example.com");

        Assert.False(first.Ok);
        Assert.False(second.Ok);
        Assert.NotEmpty(second.Error!);
    }
}
