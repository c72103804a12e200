using System.Text;
using Proxy.Actors.Config.Acl;
using Proxy.Tests.Resolvers;
using Proxy.Tests.Servers.Common;
using static Proxy.Tests.Servers.HttpProxy.RawWire;

namespace Proxy.Tests.Servers.HttpProxy;

/// <summary>http_proxy's protocol behaviour over in-memory connections: no sockets, no node.</summary>
public sealed class HttpProxyProtocolTests
{
    /// <summary>An origin that answers each request on a connection with its request line's path.</summary>
    private static async Task EchoPathOrigin(Stream s)
    {
        while (await ReadHeadAsync(s) is { } head)
        {
            var path = head.Split(' ')[1];
            await WriteAsync(s, $"HTTP/1.1 200 OK\r\nContent-Length: {path.Length}\r\n\r\n{path}");
        }
    }

    private static async Task<(string Head, string Body)> ReadResponseAsync(Stream s)
    {
        var head = await ReadHeadAsync(s) ?? throw new EndOfStreamException("no response");
        return (head, await ReadExactlyAsync(s, ContentLength(head)));
    }

    [Fact]
    public async Task Pipelining_TwoRequestsInOneWrite_AnsweredInOrder_OverOnePooledOriginConnection()
    {
        await using var proxy = new InMemoryHttpProxy(EchoPathOrigin);
        var (client, served) = proxy.Connect();

        await WriteAsync(client, "GET http://o.test/first HTTP/1.1\r\nHost: o.test\r\n\r\nGET http://o.test/second HTTP/1.1\r\nHost: o.test\r\n\r\n");

        var (h1, b1) = await ReadResponseAsync(client);
        var (h2, b2) = await ReadResponseAsync(client);
        Assert.StartsWith("HTTP/1.1 200", h1);
        Assert.Equal("/first", b1);
        Assert.StartsWith("HTTP/1.1 200", h2);
        Assert.Equal("/second", b2);
        Assert.Equal(1, proxy.OriginConnections);
        client.Dispose();
        await served.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task PasswordInTheRequestUri_NeverReachesTheOrigin_AndIsMaskedInTheTaskLog()
    {
        await using var proxy = new InMemoryHttpProxy(EchoPathOrigin);
        var (client, served) = proxy.Connect();

        await WriteAsync(client, "GET http://alice:s3cret@o.test/inbox HTTP/1.1\r\nHost: o.test\r\nConnection: close\r\n\r\n");

        var (head, body) = await ReadResponseAsync(client);
        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal("/inbox", body);
        await served.WaitAsync(TimeSpan.FromSeconds(10));
        // the task line is written once the connection's end is processed, a moment after it closed
        Assert.True(await Eventually.True(() => proxy.Log.Contains("log_type=Task")), proxy.Log);
        Assert.Contains("http://alice:xyz@o.test/inbox", proxy.Log);
        Assert.DoesNotContain("s3cret", proxy.Log);
    }

    [Fact]
    public async Task ChunkedBodies_PassBothWays_AndAreDecodedForHttp10Clients()
    {
        var seenBody = new TaskCompletionSource<string>();
        await using var proxy = new InMemoryHttpProxy(async s =>
        {
            while (await ReadHeadAsync(s) is { } head)
            {
                if (head.StartsWith("POST", StringComparison.Ordinal)) seenBody.TrySetResult(await ReadUntilAsync(s, "0\r\n\r\n"));
                await WriteAsync(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
            }
        });

        var (client, _) = proxy.Connect();
        await WriteAsync(client, "POST http://o.test/up HTTP/1.1\r\nHost: o.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        var head = await ReadHeadAsync(client);
        Assert.Contains("Transfer-Encoding: chunked", head);
        Assert.Equal("3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n", await ReadUntilAsync(client, "0\r\n\r\n"));
        Assert.Equal("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", await seenBody.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        client.Dispose();

        var (old, served) = proxy.Connect();
        await WriteAsync(old, "GET http://o.test/down HTTP/1.0\r\nHost: o.test\r\n\r\n");
        var oldHead = await ReadHeadAsync(old);
        Assert.DoesNotContain("Transfer-Encoding", oldHead);
        Assert.Contains("Connection: close", oldHead);
        using var all = new MemoryStream();
        await old.CopyToAsync(all).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("abcdefg", Encoding.ASCII.GetString(all.ToArray()));
        await served.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ExpectContinue_TheBodyWaitsForTheOrigins100()
    {
        var bodyArrivedEarly = false;
        await using var proxy = new InMemoryHttpProxy(async s =>
        {
            var head = await ReadHeadAsync(s);
            Assert.Contains("Expect: 100-continue", head);
            // Nothing of the body may come before the origin says 100.
            var firstByte = new byte[1];
            var probe = s.ReadAsync(firstByte).AsTask();
            bodyArrivedEarly = await Task.WhenAny(probe, Task.Delay(300)) == probe;
            await WriteAsync(s, "HTTP/1.1 100 Continue\r\n\r\n");
            await probe.WaitAsync(TimeSpan.FromSeconds(10));
            var body = (char)firstByte[0] + await ReadExactlyAsync(s, 4);
            await WriteAsync(s, $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        });
        var (client, _) = proxy.Connect();

        await WriteAsync(client, "PUT http://o.test/put HTTP/1.1\r\nHost: o.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        // A client waits for the 100, but not forever (RFC 9110 section 10.1.1), as curl does: on a slow
        // machine the proxy's own one-second wait may run out first and it then asks for the body.
        var interimRead = ReadHeadAsync(client);
        await Task.WhenAny(interimRead, Task.Delay(TimeSpan.FromSeconds(3)));
        await WriteAsync(client, "hello");
        var interim = await interimRead.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 100", interim);
        var (final, body) = await ReadResponseAsync(client);

        Assert.False(bodyArrivedEarly);
        Assert.StartsWith("HTTP/1.1 200", final);
        Assert.Equal("hello", body);
        client.Dispose();
    }

    [Fact]
    public async Task ErrorReply_WhileTheClientStillUploads_IsReadWhole_ThenTheConnectionCloses()
    {
        await using var proxy = new InMemoryHttpProxy(EchoPathOrigin, c => c with
        {
            DstPortFilter = new PortAclRule([new PortAclEntry(81, 81, AclAction.Forbid)], AclAction.Permit),
        });
        var (client, served) = proxy.Connect();

        // A forbidden target with a large body behind the head: the proxy answers at once.
        await WriteAsync(client, "POST http://o.test:81/up HTTP/1.1\r\nHost: o.test:81\r\nContent-Length: 1048576\r\n\r\n");
        var upload = Task.Run(async () =>
        {
            var chunk = new byte[16 * 1024];
            for (var i = 0; i < 64; i++) await client.WriteAsync(chunk);
        });
        var (head, body) = await ReadResponseAsync(client);
        Assert.StartsWith("HTTP/1.1 403", head);
        Assert.Contains("Connection: close", head);
        Assert.Contains("403 Forbidden", body);

        // The proxy drained what the client still sent (so the client saw the reply, not a reset)...
        await upload.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(served.IsCompleted);
        // ...and closes once the client is done.
        client.CompleteWrites();
        await served.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("reason=ForbiddenByRule", proxy.Log);
        Assert.Equal(0, proxy.OriginConnections);
    }

    [Fact]
    public async Task MalformedHead_Gets400_AndTheNextConnectionIsServed()
    {
        await using var proxy = new InMemoryHttpProxy(EchoPathOrigin);
        var (bad, badServed) = proxy.Connect();
        await WriteAsync(bad, "NOT HTTP AT ALL\r\n\r\n");
        var (head, _) = await ReadResponseAsync(bad);
        Assert.StartsWith("HTTP/1.1 400", head);
        bad.CompleteWrites();
        await badServed.WaitAsync(TimeSpan.FromSeconds(10));

        var (good, _) = proxy.Connect();
        await WriteAsync(good, "GET http://o.test/ok HTTP/1.1\r\nHost: o.test\r\n\r\n");
        var (okHead, okBody) = await ReadResponseAsync(good);
        Assert.StartsWith("HTTP/1.1 200", okHead);
        Assert.Equal("/ok", okBody);
        good.Dispose();
    }
}
