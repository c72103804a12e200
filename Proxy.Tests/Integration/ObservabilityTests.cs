using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MessagePack;
using Proxy.Actors.Stats;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Integration;

/// <summary>A real node with stat: and log: pointed at receivers written here, on loopback.</summary>
[Collection(NodeCollection.Name)]
public sealed class ObservabilityTests
{
    private static string Yaml(string log, string extra = "") =>
        ProxyUnderTest.HttpProxyYaml().Replace("log: stdout", log) + "\n" + extra;

    [Fact]
    public async Task StatsD_CarriesG3NamesAndTags_WithCountsOfTheRequestsMade()
    {
        using var statsd = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)statsd.Client.LocalEndPoint!).Port;
        var lines = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await statsd.ReceiveAsync(stop.Token);
                Assert.True(r.Buffer.Length <= 1400, "a datagram over max_segment_size");
                foreach (var l in Encoding.UTF8.GetString(r.Buffer).Split('\n', StringSplitOptions.RemoveEmptyEntries)) lines.Enqueue(l);
            }
        });
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml("log: discard",
            $"stat:\n  target_udp: 127.0.0.1:{port}\n  emit_duration: 100ms\n"));
        using var client = proxy.Client();
        const int requests = 5;
        for (var i = 0; i < requests; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        long Sum(string name, string tag) => lines.Where(l => l.StartsWith("g3proxy." + name + ":") && l.Contains(tag))
            .Sum(l => long.Parse(l.Split(':')[1].Split('|')[0]));
        Assert.True(await Eventually.True(() => Sum("server.task.total", "server:http") == requests
                                                && Sum("escaper.task.total", "escaper:direct") == requests
                                                && Sum("server.traffic.in.bytes", "server:http") > 0),
            string.Join("\n", lines.Take(60)));
        var task = lines.First(l => l.StartsWith("g3proxy.server.task.total:"));
        Assert.Matches(@"^g3proxy\.server\.task\.total:\d+\|c\|#daemon_group:g3actors,server:http,online:y,stat_id:\d+$", task);
        Assert.Contains(lines, l => l.StartsWith("g3proxy.server.task.alive:") && l.Contains("|g|#"));
        Assert.Contains(lines, l => l.StartsWith("g3proxy.server.traffic.out.bytes:") && l.EndsWith(",transport:tcp"));
        Assert.True(Sum("escaper.connection.establish", "escaper:direct") >= 1);
        Assert.True(Sum("escaper.traffic.in.bytes", "escaper:direct") > 0);
        // More time passes; a count only ever adds what is new, so the totals stay put.
        await Task.Delay(300);
        Assert.Equal(requests, Sum("server.task.total", "server:http"));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving);
    }

    [Fact]
    public async Task Syslog_Udp_ReceivesTaskRecords_WithG3Fields()
    {
        using var syslog = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)syslog.Client.LocalEndPoint!).Port;
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(
            $"log:\n  task:\n    syslog:\n      target_udp: 127.0.0.1:{port}\n      append_report_ts: true\n"));
        using var client = proxy.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var message = Encoding.UTF8.GetString((await syslog.ReceiveAsync(timeout.Token)).Buffer);
        // RFC 3164 with facility daemon, severity notice: <29>, then g3's key="value" list.
        Assert.Matches(@"^<29>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d g3proxy\[\d+\]: ", message);
        Assert.Contains(", log_type=\"Task\"", message);
        Assert.Contains(", server_name=\"http\"", message);
        Assert.Contains(", task_type=\"HttpForward\"", message);
        Assert.Contains(", rsp_status=200", message);
        Assert.Matches(@", c_rd_bytes=[1-9]\d*", message);
        Assert.Matches(@", report_ts=\d+$", message);
    }

    [Fact]
    public async Task Fluentd_ForwardReceiver_DecodesTaskRecords()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var records = new ConcurrentQueue<(string Tag, Dictionary<string, object?> Map)>();
        using var stop = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptTcpClientAsync(stop.Token);
            using var reader = new MessagePackStreamReader(peer.GetStream());
            while (await reader.ReadAsync(stop.Token) is { } message) records.Enqueue(Decode(message));
        });
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(
            $"log:\n  fluentd:\n    address: 127.0.0.1:{port}\n    flush_interval: 10ms\n"));
        using var client = proxy.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        Assert.True(await Eventually.True(() => records.Any(r => r.Tag == "g3proxy.Task")));
        var task = records.First(r => r.Tag == "g3proxy.Task").Map;
        Assert.Equal("Task", task["log_type"]);
        Assert.Equal("http", task["server_name"]);
        Assert.Equal("HttpForward", task["task_type"]);
        Assert.Equal("direct", task["escaper"]);
        Assert.Equal(200L, Convert.ToInt64(task["rsp_status"]));
        Assert.True(Convert.ToInt64(task["c_rd_bytes"]) > 0);
        Assert.Equal("Finished", task["msg"]);
        listener.Stop();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => receiving);
    }

    [Fact]
    public async Task SinkThatNeverReads_DropsAreCounted_AndTheProxyStillServes()
    {
        const int Requests = 600;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Server.ReceiveBufferSize = 4096;
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var held = new ConcurrentBag<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) held.Add(await listener.AcceptTcpClientAsync(stop.Token)); // and never read
        });
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(
            $"log:\n  task:\n    fluentd: {{address: 127.0.0.1:{port}, write_timeout: 200ms}}\n    async_channel_size: 8\n"));
        using var client = proxy.Client();
        // Big records fill the kernel buffers (4 MiB send buffer at most) quickly; the origin takes a 16 KiB header.
        var bigAgent = new string('a', 16 * 1024);
        var started = DateTime.UtcNow;
        for (var i = 0; i < Requests; i++)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, origin.Url("/hello"));
            req.Headers.TryAddWithoutValidation("User-Agent", bigAgent);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(req)).StatusCode);
        }
        var task = proxy.Node.Services.Logger.LoggerStats.Single(s => s.Name == "task");
        Assert.True(await Eventually.True(() => task.DroppedTotal > 0),
            $"overflow {task.Dropped(LogDropType.ChannelOverflow)}, unreachable {task.Dropped(LogDropType.PeerUnreachable)}, passed {task.Passed}");
        Assert.Equal(Requests, task.Total);
        // A request after the pile-up is served as fast as the first ones were.
        var before = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);
        Assert.True(DateTime.UtcNow - before < TimeSpan.FromSeconds(2));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        listener.Stop();
        foreach (var c in held) c.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }

    /// <summary>A Message-mode entry: [tag, EventTime ext 0, map].</summary>
    private static (string, Dictionary<string, object?>) Decode(ReadOnlySequence<byte> message)
    {
        var r = new MessagePackReader(message);
        Assert.Equal(3, r.ReadArrayHeader());
        var tag = r.ReadString()!;
        var ext = r.ReadExtensionFormatHeader();
        Assert.Equal(0, ext.TypeCode);
        Assert.Equal(8u, ext.Length);
        r.ReadRaw(8);
        var map = new Dictionary<string, object?>();
        var count = r.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = r.ReadString()!;
            map[key] = r.NextMessagePackType switch
            {
                MessagePackType.Integer => r.ReadInt64(),
                MessagePackType.Nil => r.TryReadNil() ? null : null,
                _ => r.ReadString(),
            };
        }
        return (tag, map);
    }
}
