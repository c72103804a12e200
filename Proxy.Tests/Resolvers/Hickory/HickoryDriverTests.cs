using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Resolvers.Hickory;
using Proxy.Actors.Resolvers.Wire;

namespace Proxy.Tests.Resolvers.Hickory;

/// <summary>g3's server schedule: next server every retry_interval, first NOERROR wins, last error when all failed.</summary>
public sealed class HickoryDriverTests
{
    /// <summary>A server that answers after a delay with an rcode and addresses, or never.</summary>
    private sealed class FakeServer(string name, TimeSpan? after, int rcode = 0, params string[] addresses) : IDnsExchange
    {
        public int Asked;
        public string Server => name;

        public async Task<DnsExchangeResult> ExchangeAsync(byte[] query, ushort id, ushort type, CancellationToken ct)
        {
            Interlocked.Increment(ref Asked);
            if (after is null)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            await Task.Delay(after!.Value, ct);
            return DnsExchangeResult.Of(new DnsReply(id, rcode, false, addresses.Select(IPAddress.Parse).ToList(), 300));
        }
    }

    private static HickoryResolverConfig Config(int retryMs, int eachTimeoutMs) => new()
    {
        Name = "h",
        Position = new ConfigPosition("r.yml", 1),
        RetryInterval = TimeSpan.FromMilliseconds(retryMs),
        EachTimeout = TimeSpan.FromMilliseconds(eachTimeoutMs),
        EachTries = 1,
    };

    private static Task<Proxy.Actors.Resolvers.Cache.DriverAnswer> Query(HickoryResolverConfig c, params IDnsExchange[] servers) =>
        new HickoryDriver(servers, c, TimeProvider.System).QueryAsync("a.example", AddressFamily.InterNetwork, CancellationToken.None);

    [Fact]
    public async Task SilentFirstServer_SecondAskedAfterRetryInterval_AndWins()
    {
        var silent = new FakeServer("silent", null);
        var good = new FakeServer("good", TimeSpan.Zero, 0, "192.0.2.1");
        var sw = Stopwatch.StartNew();

        var a = await Query(Config(retryMs: 300, eachTimeoutMs: 5000), silent, good);

        Assert.True(a.Result.Ok, a.Result.Reason);
        Assert.Equal([IPAddress.Parse("192.0.2.1")], a.Result.Addresses);
        Assert.InRange(sw.ElapsedMilliseconds, 280, 3000);
        Assert.Equal(1, good.Asked);
    }

    [Fact]
    public async Task FastFirstServer_SecondNeverAsked()
    {
        var first = new FakeServer("first", TimeSpan.Zero, 0, "192.0.2.1");
        var second = new FakeServer("second", TimeSpan.Zero, 0, "192.0.2.2");

        var a = await Query(Config(retryMs: 300, eachTimeoutMs: 5000), first, second);

        Assert.Equal([IPAddress.Parse("192.0.2.1")], a.Result.Addresses);
        Assert.Equal(0, second.Asked);
    }

    [Fact]
    public async Task ErrorFromFirst_WaitsForALaterNoError()
    {
        var servfail = new FakeServer("servfail", TimeSpan.Zero, 2);
        var good = new FakeServer("good", TimeSpan.Zero, 0, "192.0.2.3");

        var a = await Query(Config(retryMs: 100, eachTimeoutMs: 5000), servfail, good);

        Assert.Equal([IPAddress.Parse("192.0.2.3")], a.Result.Addresses);
    }

    [Fact]
    public async Task EveryServerFails_LastErrorIsTheAnswer()
    {
        var a = await Query(Config(retryMs: 50, eachTimeoutMs: 5000),
            new FakeServer("one", TimeSpan.Zero, 2), new FakeServer("two", TimeSpan.Zero, 5));

        Assert.Equal(ResolveErrorKind.Refused, a.Result.Error);
        Assert.Contains("REFUSED from two", a.Result.Reason);
    }

    [Fact]
    public async Task NoServerAnswers_TimeoutAfterEachTimeout()
    {
        var sw = Stopwatch.StartNew();
        var a = await Query(Config(retryMs: 100, eachTimeoutMs: 400), new FakeServer("silent", null));

        Assert.Equal(ResolveErrorKind.Timeout, a.Result.Error);
        // One server: the tick at retry_interval ends the first phase, then each_timeout - retry_interval.
        Assert.InRange(sw.ElapsedMilliseconds, 380, 3000);
    }
}
