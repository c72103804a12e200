using System.Net;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// A misbehaving client gets its answer (400/431/408) while, at the same time, a well-behaved
/// client is served by the same node; and the node keeps serving after clients that give up
/// in the middle of a body.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class BadInputTests
{
    [Fact]
    public async Task GarbageRequestLine_400_WhileAnotherClientIsServed()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var bad = await RawHttp.ConnectAsync(proxy.Endpoint());

        // The head is not finished yet: the proxy is holding this connection while the good one runs.
        await bad.SendAsync("\x01\x02GARBAGE garbage\r\nX: y\r\n");
        await AssertGoodRequestAsync(proxy, origin, "/hello?during");
        await bad.SendAsync("\r\n");
        var rsp = await bad.ReadResponseAsync();

        HttpErrorStatusTests.AssertClosingError(400, rsp, await bad.ClosedByPeerAsync());
        Assert.Contains("reason=InvalidClientProtocol", await HttpErrorStatusTests.LogFor(proxy, 400));
        await AssertGoodRequestAsync(proxy, origin, "/hello?after");
        Assert.Equal(2, origin.Seen.Count);
    }

    [Fact]
    public async Task HeaderOf64KiB_431_WhileAnotherClientIsServed()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());
        await using var bad = await RawHttp.ConnectAsync(proxy.Endpoint());

        await bad.SendAsync($"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nX-Big: {new string('a', 40 * 1024)}");
        await AssertGoodRequestAsync(proxy, origin, "/hello?during");
        await bad.SendAsync(new string('b', 40 * 1024) + "\r\n\r\n");
        var rsp = await bad.ReadResponseAsync();

        HttpErrorStatusTests.AssertClosingError(431, rsp, await bad.ClosedByPeerAsync());
        await AssertGoodRequestAsync(proxy, origin, "/hello?after");
        Assert.Equal(2, origin.Seen.Count);
        Assert.DoesNotContain(origin.Seen, s => s.Headers.ContainsKey("X-Big"));
    }

    [Fact]
    public async Task SlowHeaderSender_408_WhileAnotherClientIsServed()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml(serverExtra: "req_header_recv_timeout: 2s"));
        await using var bad = await RawHttp.ConnectAsync(proxy.Endpoint());
        var head = Encoding.ASCII.GetBytes($"GET {origin.Url("/hello")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nUser-Agent: trickle\r\n\r\n");

        // One byte every 150 ms: the whole head would take ~12 s, far beyond the 2 s allowed.
        using var stopTrickle = new CancellationTokenSource();
        var firstByteSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var trickle = Task.Run(async () =>
        {
            try
            {
                foreach (var b in head)
                {
                    await bad.Stream.WriteAsync(new[] { b }, stopTrickle.Token);
                    firstByteSent.TrySetResult();
                    await Task.Delay(150, stopTrickle.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // Stopped, or the proxy closed on us: either way the trickle is over.
            }
        });
        await firstByteSent.Task;
        var started = DateTime.UtcNow;
        await AssertGoodRequestAsync(proxy, origin, "/hello?during");
        var rsp = await bad.ReadResponseAsync(timeoutMs: 20000);
        var waited = DateTime.UtcNow - started;
        await stopTrickle.CancelAsync();
        await trickle;

        Assert.Equal(408, rsp.Status);
        Assert.Equal("close", rsp.Header("Connection"));
        Assert.True(waited < TimeSpan.FromSeconds(10), $"408 came after {waited}: the timeout must bound the whole head, not each byte");
        Assert.Contains("reason=ClientAppTimeout", await HttpErrorStatusTests.LogFor(proxy, 408));
        await AssertGoodRequestAsync(proxy, origin, "/hello?after");
        Assert.Equal(2, origin.Seen.Count);
    }

    [Fact]
    public async Task ClientDisconnectsMidBody_NodeKeepsServing()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        await using (var bad = await RawHttp.ConnectAsync(proxy.Endpoint()))
        {
            await bad.SendAsync($"POST {origin.Url("/echo")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nContent-Length: 100000\r\n\r\n");
            await bad.SendAsync(TestOrigin.Pattern(1000));
        }

        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("method=POST")));
        Assert.Contains("reason=ClosedEarlyByClient", log);
        await AssertGoodRequestAsync(proxy, origin, "/hello?after");
        Assert.DoesNotContain(origin.Seen, s => s.Method == "POST");
    }

    [Fact]
    public async Task TruncatedChunkedBody_NodeKeepsServing()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        await using (var bad = await RawHttp.ConnectAsync(proxy.Endpoint()))
        {
            await bad.SendAsync($"POST {origin.Url("/echo")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                "5\r\nhello\r\n400\r\nonly a few bytes of a 1024-byte chunk");
        }

        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("method=POST")));
        Assert.Contains("reason=ClosedEarlyByClient", log);
        await AssertGoodRequestAsync(proxy, origin, "/hello?after");
        Assert.DoesNotContain(origin.Seen, s => s.Method == "POST");
    }

    [Fact]
    public async Task InvalidChunkSize_400_NodeKeepsServing()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(ProxyUnderTest.HttpProxyYaml());

        var (rsp, closed) = await HttpErrorStatusTests.ExchangeAsync(proxy.Endpoint(),
            $"POST {origin.Url("/echo")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.HttpPort}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");

        HttpErrorStatusTests.AssertClosingError(400, rsp, closed);
        Assert.Contains("reason=InvalidClientProtocol", await HttpErrorStatusTests.LogFor(proxy, 400));
        await AssertGoodRequestAsync(proxy, origin, "/hello?after");
    }

    private static async Task AssertGoodRequestAsync(ProxyUnderTest proxy, TestOrigin origin, string path)
    {
        using var client = proxy.Client();
        var rsp = await client.GetAsync(origin.Url(path));
        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("hello", await rsp.Content.ReadAsStringAsync());
    }
}
