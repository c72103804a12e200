using System.Text.RegularExpressions;
using Proxy.Tests.Resolvers;
using Proxy.Tests.Servers.HttpProxy;
using static Proxy.Tests.Servers.HttpProxy.RawWire;

namespace Proxy.Tests.Logging;

/// <summary>
/// flush_task_log_on_created, flush_task_log_on_connected and task_log_flush_interval: the extra
/// task records a client's task gets before its final one, over an in-memory http_proxy.
/// </summary>
public sealed partial class TaskLogFlushTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>
    /// An origin that echoes the tunnel's first four bytes, then holds the tunnel open until the test
    /// releases it and closes its end.
    /// </summary>
    private static Func<Stream, Task> EchoOnceOrigin(TaskCompletionSource release) => async s =>
    {
        var buf = new byte[4];
        await s.ReadExactlyAsync(buf);
        await s.WriteAsync(buf);
        await release.Task.WaitAsync(Patience);
    };

    [GeneratedRegex(@"\btask_event=(\w+)")]
    private static partial Regex EventField();

    private static string Field(string line, string key) =>
        Regex.Match(line, $@"\b{key}=(\S+)") is { Success: true } m ? m.Groups[1].Value : "";

    private static string[] TaskLines(InMemoryHttpProxy proxy) =>
        proxy.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("log_type=Task")).ToArray();

    private static string[] Events(InMemoryHttpProxy proxy) =>
        TaskLines(proxy).Select(l => EventField().Match(l).Groups[1].Value).ToArray();

    private static async Task<DuplexOpen> OpenTunnelAsync(InMemoryHttpProxy proxy, TaskCompletionSource release)
    {
        var (client, served) = proxy.Connect();
        await WriteAsync(client, "CONNECT o.test:443 HTTP/1.1\r\nHost: o.test:443\r\n\r\n");
        var head = await ReadHeadAsync(client);
        Assert.StartsWith("HTTP/1.1 200", head);
        await WriteAsync(client, "ping");
        Assert.Equal("ping", await ReadExactlyAsync(client, 4));
        return new DuplexOpen(client, served, release);
    }

    private sealed record DuplexOpen(Stream Client, Task Served, TaskCompletionSource Release)
    {
        /// <summary>Both ends close the tunnel (a pipe end cannot pass a half-close on); the proxy ends the task.</summary>
        public async Task CloseAsync()
        {
            Release.TrySetResult();
            await Client.DisposeAsync();
            await Served.WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task OnCreatedAndOnConnected_ConnectTask_LogsCreatedThenConnectedThenTheFinalRecord()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var proxy = new InMemoryHttpProxy(EchoOnceOrigin(release), c => c with { FlushTaskLogOnCreated = true, FlushTaskLogOnConnected = true });
        var open = await OpenTunnelAsync(proxy, release);
        await open.CloseAsync();

        Assert.True(await Eventually.True(() => Events(proxy).Contains("Finished"), Patience), proxy.Log);
        var lines = TaskLines(proxy);
        Assert.Equal(["Created", "Connected", "Finished"], Events(proxy));
        Assert.Single(lines.Select(l => Field(l, "task_id")).Distinct());
        Assert.Equal("Created", Field(lines[0], "stage"));
        Assert.Equal("o.test:443", Field(lines[0], "upstream"));
        Assert.Equal("Connected", Field(lines[1], "stage"));
        Assert.Equal("127.0.0.1:80", Field(lines[1], "next_peer_addr"));
        // only the final record has a reason and the byte counts
        Assert.DoesNotContain("reason=", lines[0] + lines[1]);
        Assert.DoesNotContain("c_rd_bytes=", lines[0] + lines[1]);
        Assert.Contains("reason=", lines[2]);
    }

    [Fact]
    public async Task OnCreatedAndOnConnected_ForwardTask_LogsBothBeforeTheFinalRecord()
    {
        await using var proxy = new InMemoryHttpProxy(async s =>
        {
            while (await ReadHeadAsync(s) is not null) await WriteAsync(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }, c => c with { FlushTaskLogOnCreated = true, FlushTaskLogOnConnected = true });
        var (client, served) = proxy.Connect();
        await WriteAsync(client, "GET http://o.test/x HTTP/1.1\r\nHost: o.test\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(client));
        await served.WaitAsync(Patience);

        Assert.True(await Eventually.True(() => Events(proxy).Contains("Finished"), Patience), proxy.Log);
        Assert.Equal(["Created", "Connected", "Finished"], Events(proxy));
        Assert.All(TaskLines(proxy), l => Assert.Contains("task_type=HttpForward", l));
    }

    [Fact]
    public async Task FlushInterval_OpenTunnel_LogsPeriodicRecordsWithTheBytesSoFar_ThenExactlyOneFinalRecord()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var proxy = new InMemoryHttpProxy(EchoOnceOrigin(release), c => c with { TaskLogFlushInterval = TimeSpan.FromSeconds(1) });
        var open = await OpenTunnelAsync(proxy, release);

        // the tunnel stays open until two periodic records have come (about 2 s at a 1 s interval)
        Assert.True(await Eventually.True(() => Events(proxy).Count(e => e == "Periodic") >= 2, Patience), proxy.Log);
        var periodic = TaskLines(proxy).First(l => l.Contains("task_event=Periodic"));
        Assert.Equal("Relaying", Field(periodic, "stage"));
        Assert.Equal("4", Field(periodic, "r_rd_bytes"));
        Assert.NotEqual("", Field(periodic, "total_time"));

        await open.CloseAsync();
        Assert.True(await Eventually.True(() => Events(proxy).Contains("Finished"), Patience), proxy.Log);
        // longer than an interval: a timer that outlived the task would have written again by now
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var events = Events(proxy);
        Assert.Single(events, e => e == "Finished");
        Assert.Equal("Finished", events[^1]);
        Assert.All(events[..^1], e => Assert.Equal("Periodic", e));
    }
}
