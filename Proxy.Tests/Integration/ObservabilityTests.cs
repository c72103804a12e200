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
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml("log: discard",
            $"stat:\n  target_udp: 127.0.0.1:{statsd.Port}\n  emit_duration: 100ms\n"));
        using var client = proxy.Client();
        const int requests = 5;
        for (var i = 0; i < requests; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        Assert.True(await Eventually.True(() => statsd.Sum("server.task.total", "server:http") == requests
                                                && statsd.Sum("escaper.task.total", "escaper:direct") == requests
                                                && statsd.Sum("server.traffic.in.bytes", "server:http") > 0),
            string.Join("\n", statsd.Lines.Take(60)));
        var task = statsd.Lines.First(l => l.StartsWith("g3proxy.server.task.total:"));
        Assert.Matches(@"^g3proxy\.server\.task\.total:\d+\|c\|#daemon_group:g3actors,server:http,online:y,stat_id:\d+$", task);
        Assert.Contains(statsd.Lines, l => l.StartsWith("g3proxy.server.task.alive:") && l.Contains("|g|#"));
        Assert.Contains(statsd.Lines, l => l.StartsWith("g3proxy.server.traffic.out.bytes:") && l.EndsWith(",transport:tcp"));
        Assert.True(statsd.Sum("escaper.connection.establish", "escaper:direct") >= 1);
        Assert.True(statsd.Sum("escaper.traffic.in.bytes", "escaper:direct") > 0);
        // More time passes; a count only ever adds what is new, so the totals stay put.
        await Task.Delay(300);
        Assert.Equal(requests, statsd.Sum("server.task.total", "server:http"));
        Assert.True(statsd.MaxDatagram <= 1400);
    }

    [Fact]
    public async Task StatsD_ListenFamily_CountsAcceptedAndDroppedConnections_AndTheListeningSockets()
    {
        await using var statsd = new StatsdReceiver();
        await using var origin = await TestOrigin.StartAsync();
        // A second server whose ingress filter refuses 127.0.0.1 (loopback is allowed by default, as in g3): dropped at accept.
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml("log: discard", $$"""
              - name: closed
                type: http_proxy
                escaper: direct
                listen: {address: 127.0.0.1:0, instance: 2}
                ingress_network_filter: {default: deny, forbid: [127.0.0.1]}
            stat:
              target_udp: 127.0.0.1:{{statsd.Port}}
              emit_interval: 100ms
            """));
        const int requests = 3;
        for (var i = 0; i < requests; i++)
        {
            using var client = proxy.Client(); // a new connection each
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);
        }
        const int refused = 2;
        for (var i = 0; i < refused; i++)
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(proxy.Endpoint("closed"));
            Assert.Equal(0, await probe.GetStream().ReadAsync(new byte[16])); // closed without a byte
        }

        Assert.True(await Eventually.True(() => statsd.Sum("listen.accepted", "server:http") == requests
                                                && statsd.Sum("listen.accepted", "server:closed") == refused
                                                && statsd.Sum("listen.dropped", "server:closed") == refused),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("listen.")).Take(30)));
        Assert.Equal(0, statsd.Sum("listen.dropped", "server:http"));
        Assert.Equal(0, statsd.Sum("server.connection.total", "server:closed"));
        Assert.Matches(@"^g3proxy\.listen\.accepted:\d+\|c\|#daemon_group:g3actors,server:http,online:y,stat_id:\d+$",
            statsd.Lines.First(l => l.StartsWith("g3proxy.listen.accepted:") && l.Contains("server:http")));
        Assert.Contains(statsd.Lines, l => l.StartsWith("g3proxy.listen.instance.count:2|g|") && l.Contains("server:closed"));
        Assert.Contains(statsd.Lines, l => l.StartsWith("g3proxy.listen.instance.count:1|g|") && l.Contains("server:http"));
    }

    [Fact]
    public async Task StatsD_OpenTunnel_BytesCountedWhileItRuns()
    {
        await using var statsd = new StatsdReceiver();
        var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var echoing = Task.Run(async () =>
        {
            using var peer = await echo.AcceptTcpClientAsync();
            var s = peer.GetStream();
            var buf = new byte[8192];
            int n;
            while ((n = await s.ReadAsync(buf)) > 0) await s.WriteAsync(buf.AsMemory(0, n));
        });
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml("log: discard",
            $"stat:\n  target_udp: 127.0.0.1:{statsd.Port}\n  emit_interval: 100ms\n"));
        using var tunnel = new TcpClient();
        await tunnel.ConnectAsync(proxy.Endpoint());
        var stream = tunnel.GetStream();
        var port = ((IPEndPoint)echo.LocalEndpoint).Port;
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
        var head = new byte[1024];
        var got = await stream.ReadAsync(head);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(head, 0, got));
        var payload = new byte[100_000];
        await stream.WriteAsync(payload);
        var echoed = 0;
        while (echoed < payload.Length) echoed += await stream.ReadAsync(head);

        // The tunnel is still open: its bytes show up anyway, on both the server and the escaper.
        Assert.True(await Eventually.True(() => statsd.Sum("server.traffic.in.bytes", "server:http") >= payload.Length
                                                && statsd.Sum("escaper.traffic.in.bytes", "escaper:direct") >= payload.Length),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("traffic")).Take(20)));
        Assert.Contains(statsd.Lines, l => l.StartsWith("g3proxy.server.task.alive:1|g"));
        tunnel.Close();
        echo.Stop();
        await echoing.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Resolver_FailedQuery_IsCountedAndLogged()
    {
        await using var statsd = new StatsdReceiver();
        await using var dns = new TestDnsServer();
        var yaml = ProxyUnderTest.HttpProxyYaml()
            .Replace("log: stdout", "log:\n  resolve: stdout")
            .Replace("    server: 127.0.0.1\n", $"    server: 127.0.0.1:{dns.EndPoint.Port}\n")
            + $"\nstat:\n  target_udp: 127.0.0.1:{statsd.Port}\n  emit_interval: 100ms\n";
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);
        using var client = proxy.Client();

        Assert.Equal((HttpStatusCode)530, (await client.GetAsync("http://nowhere.invalid.test/")).StatusCode);

        var log = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Resolve") && l.Contains("query_type=A ")));
        Assert.Contains("resolver_type=c-ares resolver_name=default query_type=A", log);
        Assert.Contains("rr_source=query error_type=ServerError error_subtype=NOTFOUND domain=nowhere.invalid.test", log);
        Assert.Contains($"server=127.0.0.1:{dns.EndPoint.Port}", log);
        Assert.True(await Eventually.True(() => statsd.Sum("resolver.query.total", "rr_type:A") >= 1
                                                && statsd.Sum("resolver.query.server.not_found", "resolver:default") >= 1),
            string.Join("\n", statsd.Lines.Where(l => l.Contains("resolver")).Take(20)));
        Assert.DoesNotContain(proxy.TaskLog.ToString().Split('\n'), l => l.Contains("log_type=Task"));
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
    public async Task UnixSockets_StatsdAndRfc5424Syslog_Received()
    {
        var dir = Path.Combine(Path.GetTempPath(), "g3a-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var statsPath = Path.Combine(dir, "statsd.sock");
            var logPath = Path.Combine(dir, "log.sock");
            using var stats = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            stats.Bind(new UnixDomainSocketEndPoint(statsPath));
            using var syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            syslog.Bind(new UnixDomainSocketEndPoint(logPath));
            await using var origin = await TestOrigin.StartAsync();
            await using var proxy = await ProxyUnderTest.StartAsync(Yaml(
                $"log:\n  task:\n    syslog: {{target_unix: {logPath}, format_rfc5424: {{enterprise_id: 32473}}}}\n",
                $"stat:\n  target_unix: {statsPath}\n  prefix: edge\n  emit_interval: 100ms\n"));
            using var client = proxy.Client();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buf = new byte[65536];
            var n = await syslog.ReceiveAsync(buf, SocketFlags.None, timeout.Token);
            var message = Encoding.UTF8.GetString(buf, 0, n);
            Assert.Matches(@"^<29>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z - g3proxy \d+ - \[g3proxy@32473 daemon_name=""g3actors"" log_type=""Task"" pid=""\d+"" server_type=""HttpProxy"" server_name=""http"" ", message);
            Assert.EndsWith("] Finished", message);

            var total = 0L;
            while (total < 1)
            {
                n = await stats.ReceiveAsync(buf, SocketFlags.None, timeout.Token);
                Assert.True(n <= 4096, "a unix datagram over g3's 4096 default segment");
                total += Encoding.UTF8.GetString(buf, 0, n).Split('\n')
                    .Where(l => l.StartsWith("edge.server.task.total:"))
                    .Sum(l => long.Parse(l.Split(':')[1].Split('|')[0]));
            }
            Assert.Equal(1, total);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
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
    public async Task Fluentd_SharedKeyHandshake_ThenRecords()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string? handshake = null;
        var records = new ConcurrentQueue<(string Tag, Dictionary<string, object?> Map)>();
        using var stop = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptTcpClientAsync(stop.Token);
            var stream = peer.GetStream();
            handshake = await Logging.FluentdHandshakeTests.ServeAsync(stream, "s3cret", stop.Token);
            using var reader = new MessagePackStreamReader(stream);
            while (await reader.ReadAsync(stop.Token) is { } message) records.Enqueue(Decode(message));
        });
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(
            $"log:\n  task:\n    fluentd: {{address: 127.0.0.1:{port}, shared_key: s3cret, username: logger, password: pw, hostname: edge-1}}\n"));
        using var client = proxy.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        var logger = proxy.Node.Services.Logger.LoggerStats.Single(l => l.Name == "task");
        Assert.True(await Eventually.True(() => !records.IsEmpty),
            $"no record after the handshake ({handshake}); receiver {receiving.Status} {receiving.Exception?.InnerException?.Message}; " +
            $"passed {logger.Passed}, unreachable {logger.Dropped(LogDropType.PeerUnreachable)}");
        Assert.Equal("ok", handshake);
        var (tag, map) = records.First();
        Assert.Equal("g3proxy.Task", tag);
        Assert.Equal("http", map["server_name"]);
        listener.Stop();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => receiving);
    }

    [Fact]
    public async Task Fluentd_OverTls_VerifiedByTheConfiguredCa()
    {
        var certs = new TestCertificates();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var records = new ConcurrentQueue<(string Tag, Dictionary<string, object?> Map)>();
        using var stop = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptTcpClientAsync(stop.Token);
            await using var tls = new System.Net.Security.SslStream(peer.GetStream());
            await tls.AuthenticateAsServerAsync(new System.Net.Security.SslServerAuthenticationOptions { ServerCertificate = certs.ServerCertificate }, stop.Token);
            using var reader = new MessagePackStreamReader(tls);
            while (await reader.ReadAsync(stop.Token) is { } message) records.Enqueue(Decode(message));
        });
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml(
            $"log:\n  task:\n    fluentd: {{address: 127.0.0.1:{port}, tls_client: {{ca_certificate: ca.pem}}, tls_name: localhost}}\n"),
            new Dictionary<string, string> { ["ca.pem"] = certs.CaPem });
        using var client = proxy.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        Assert.True(await Eventually.True(() => !records.IsEmpty), $"receiver {receiving.Status} {receiving.Exception?.InnerException?.Message}");
        Assert.Equal("g3proxy.Task", records.First().Tag);
        listener.Stop();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => receiving);
    }

    [Fact]
    public async Task Journal_WhereJournaldRuns_Delivers_ElsewhereCountsDrops()
    {
        await using var origin = await TestOrigin.StartAsync();
        await using var proxy = await ProxyUnderTest.StartAsync(Yaml("log:\n  task: journal\n"));
        using var client = proxy.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(origin.Url("/hello"))).StatusCode);

        var task = proxy.Node.Services.Logger.LoggerStats.Single(l => l.Name == "task");
        if (File.Exists(Proxy.Actors.Logging.TaskLogger.JournalSocket))
            Assert.True(await Eventually.True(() => task.Passed == 1));
        else
            Assert.True(await Eventually.True(() => task.Dropped(LogDropType.PeerUnreachable) == 1));
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
