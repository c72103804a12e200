using Proxy.Tests.Logging;
using System.Diagnostics;
using System.Net;
using System.Text;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Stats;
using Proxy.Tests.Servers.Common;

namespace Proxy.Tests.Servers.HttpProxy;

/// <summary>
/// An http_proxy runtime driven over in-memory connections, no sockets: the client is a pipe the
/// test writes to, and the escaper connects every request to an origin script over another pipe.
/// </summary>
internal sealed class InMemoryHttpProxy : IAsyncDisposable
{
    private readonly SharedLog _log = new();
    private readonly TaskLogger _logger;
    private readonly ServerContext _server;
    private readonly IServerRuntime _runtime;
    private readonly OriginEscaper _escaper;
    private readonly List<Task> _running = [];

    public InMemoryHttpProxy(Func<Stream, Task> origin, Func<HttpProxyServerConfig, HttpProxyServerConfig>? configure = null)
        : this(origin, Configure(configure))
    {
    }

    /// <summary>Any HTTP server type (http_rproxy tests pass theirs); its escaper must be "origin".</summary>
    public InMemoryHttpProxy(Func<Stream, Task> origin, ServerConfig config)
    {
        _logger = new TaskLogger(LogDriver.Stdout, _log);
        _escaper = new OriginEscaper(origin);
        var escapers = new HandleRegistry<IEscaper>(name => new DummyDenyEscaper(name));
        escapers.Publish("origin", _escaper);
        _server = new ServerContext(config, escapers, _logger, new ServerStats(), TimeProvider.System);
        _runtime = ServerRuntimeFactory.Create(config, _server,
            new ServerDeps(escapers, new HandleRegistry<ServerEntry>(_ => null!), _logger, TimeProvider.System));
    }

    private static HttpProxyServerConfig Configure(Func<HttpProxyServerConfig, HttpProxyServerConfig>? configure)
    {
        var config = new HttpProxyServerConfig { Name = "http", Position = new ConfigPosition("main.yml", 1), Escaper = "origin" };
        return configure?.Invoke(config) ?? config;
    }

    /// <summary>The upstream of every request the escaper was asked for, in order.</summary>
    public IReadOnlyList<UpstreamAddr> Targets => _escaper.Targets;

    /// <summary>Connections the origin accepted.</summary>
    public int OriginConnections => _escaper.Connections;

    public string Log => _log.ToString();

    /// <summary>A client connection; the returned task ends when the proxy has closed it.</summary>
    public (DuplexPipeStream Client, Task Served) Connect()
    {
        var (client, server) = InMemoryConnection.Create();
        var facts = new ConnectionFacts(new IPEndPoint(IPAddress.Loopback, 8080), new IPEndPoint(IPAddress.Loopback, 40000));
        var served = ConnectionRunner.RunAcceptedAsync(_runtime, new ClientTransport(server, null, facts),
            new ConnectionScope(_server, new ActivityTracker(), Stopwatch.GetTimestamp()));
        lock (_running) _running.Add(served);
        return (client, served);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_running) running = [.. _running];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30));
        await _runtime.DisposeAsync();
        _escaper.Dispose();
        _server.Dispose();
        await _logger.DisposeAsync();
    }

    /// <summary>Connects every request to a fresh run of the origin script over a pipe; HTTP forward upstreams are pooled.</summary>
    private sealed class OriginEscaper(Func<Stream, Task> origin) : IEscaper, IHttpForwardPool, IDisposable
    {
        private readonly HttpUpstreamPool _pool = new(TimeProvider.System);
        private readonly List<UpstreamAddr> _targets = [];
        private int _connections;

        public IReadOnlyList<UpstreamAddr> Targets
        {
            get { lock (_targets) return [.. _targets]; }
        }

        public string Name => "origin";
        public string TypeName => "InMemory";
        public int Connections => Volatile.Read(ref _connections);

        public ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
        {
            lock (_targets) _targets.Add(request.Target);
            if (request.Want == EscapeWant.HttpForward && UpstreamCompletion.TakePooled(request, _pool) is { } pooled)
                return new(pooled);
            Interlocked.Increment(ref _connections);
            var (proxySide, originSide) = InMemoryConnection.Create();
            _ = Task.Run(async () =>
            {
                try { await origin(originSide); }
                finally { await originSide.DisposeAsync(); }
            }, CancellationToken.None);
            var result = new EscapeResult { Stream = proxySide, PeerAddr = new IPEndPoint(IPAddress.Loopback, 80) };
            return UpstreamCompletion.CompleteAsync(request, result, _pool, TimeProvider.System, ct);
        }

        /// <summary>An idle pooled connection without the escape (as direct_fixed lends one).</summary>
        public EscapeResult? TryTakePooled(EscapeRequest request)
        {
            if (request.Want != EscapeWant.HttpForward || UpstreamCompletion.TakePooled(request, _pool) is not { } pooled) return null;
            lock (_targets) _targets.Add(request.Target);
            return pooled;
        }

        public void Dispose() => _pool.Dispose();
    }
}

/// <summary>Reads and writes raw HTTP/1 over a stream, as a test's client or origin.</summary>
internal static class RawWire
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Reads up to and including the blank line that ends a head; null at the end of the stream.</summary>
    public static async Task<string?> ReadHeadAsync(Stream s)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(Patience);
        while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await s.ReadAsync(one, cts.Token) == 0) return sb.Length == 0 ? null : throw new EndOfStreamException(sb.ToString());
            sb.Append((char)one[0]);
        }
        return sb.ToString();
    }

    public static async Task<string> ReadExactlyAsync(Stream s, int count)
    {
        var buf = new byte[count];
        using var cts = new CancellationTokenSource(Patience);
        await s.ReadExactlyAsync(buf, cts.Token);
        return Encoding.ASCII.GetString(buf);
    }

    /// <summary>Reads until the text ends with <paramref name="end"/>.</summary>
    public static async Task<string> ReadUntilAsync(Stream s, string end)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(Patience);
        while (!sb.ToString().EndsWith(end, StringComparison.Ordinal))
        {
            if (await s.ReadAsync(one, cts.Token) == 0) throw new EndOfStreamException(sb.ToString());
            sb.Append((char)one[0]);
        }
        return sb.ToString();
    }

    public static Task WriteAsync(Stream s, string text) => s.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) return int.Parse(line[15..].Trim());
        return 0;
    }
}
