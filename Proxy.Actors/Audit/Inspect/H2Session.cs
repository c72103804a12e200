using System.Net.Security;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// One intercepted h2 connection: the task it belongs to and the HTTP/2 client to the real server.
/// That client's only connection is the upstream TLS stream interception already opened (ALPN h2):
/// SocketsHttpHandler takes an <see cref="SslStream"/> from its connect callback as is. A second
/// connect means the upstream connection is gone; then the client connection ends too, as in g3
/// where both sides of an h2 interception live and die together.
/// </summary>
internal sealed class H2Session : IDisposable
{
    private SslStream? _upstream;
    private readonly Dump.DumpFlow? _remoteDump;
    private int _streams;

    public H2Session(TunnelAudit audit, int depth, string host, SslStream upstream, Dump.DumpFlow? remoteDump = null)
    {
        _remoteDump = remoteDump;
        Audit = audit;
        Depth = depth;
        Host = host;
        _upstream = upstream;
        var config = audit.Auditor.Config.H2Interception;
        var handler = Handler(config, ConnectAsync);
        handler.PlaintextStreamFilter = WatchUpstream;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        // One URI for every request: the handler pools by it, and the one pool has the one connection.
        // The client's :authority still goes upstream (the Host header of each request).
        BaseUri = new UriBuilder(Uri.UriSchemeHttps, host, audit.Upstream.Port).Uri;
    }

    public TunnelAudit Audit { get; }
    public int Depth { get; }
    public string Host { get; }
    public Uri BaseUri { get; }
    public HttpMessageInvoker Invoker { get; }

    /// <summary>Set by the interceptor once Kestrel has the connection; aborting it ends the client side.</summary>
    public Action? AbortClient { get; set; }

    /// <summary>Why the upstream side ended the connection, when it did.</summary>
    public string? UpstreamError { get; private set; }

    /// <summary>How the task ends when <see cref="UpstreamError"/> is set.</summary>
    public RelayEnd UpstreamEnd { get; private set; } = RelayEnd.ClosedByUpstream;

    /// <summary>The real server's concurrent stream limit, each client stream's wait for a slot under it.</summary>
    public H2StreamSlots Slots { get; } = new();

    /// <summary>
    /// Sends a stream's request upstream and waits at most rsp_header_recv_timeout for its head: the
    /// response, or the status the client gets (504 when the head is late, 502 when the upstream failed) and why.
    /// </summary>
    public async Task<(HttpResponseMessage? Response, int Status, string? Error)> SendForHeadAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var headTimeout = new CancellationTokenSource(Audit.Auditor.Config.H2Interception.RspHeaderRecvTimeout, Audit.Time);
        using var headLinked = CancellationTokenSource.CreateLinkedTokenSource(ct, headTimeout.Token);
        try
        {
            return (await Invoker.SendAsync(request, headLinked.Token).ConfigureAwait(false), 0, null);
        }
        catch (OperationCanceledException) when (headTimeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return (null, 504, "no response head within rsp_header_recv_timeout");
        }
        catch (HttpRequestException e)
        {
            return (null, 502, "upstream: " + e.Message);
        }
    }

    public int StreamCount => Volatile.Read(ref _streams);

    public int NextStream() => Interlocked.Increment(ref _streams);

    private ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var upstream = Interlocked.Exchange(ref _upstream, null);
        if (upstream is not null) return new(upstream);
        UpstreamError ??= "h2: the upstream connection closed";
        AbortClient?.Invoke();
        throw new HttpRequestException(UpstreamError);
    }

    /// <summary>
    /// The handler opened the upstream h2 connection (on the first client stream: it has no way to
    /// connect without a request): its frames are watched, and the server's preface must arrive
    /// within upstream_handshake_timeout or the interception ends, both sides, with that reason.
    /// </summary>
    private ValueTask<Stream> WatchUpstream(SocketsHttpPlaintextStreamFilterContext context, CancellationToken ct)
    {
        var plaintext = _remoteDump is null ? context.PlaintextStream : Dump.StreamDumper.RemoteSide(context.PlaintextStream, _remoteDump);
        var watch = new H2UpstreamWatch(plaintext, Slots);
        _ = BoundHandshakeAsync(watch);
        return new(watch);
    }

    private async Task BoundHandshakeAsync(H2UpstreamWatch watch)
    {
        try
        {
            // false (the connection ended first) is the closed-connection path's to report.
            await watch.Preface.WaitAsync(Audit.Auditor.Config.H2Interception.UpstreamHandshakeTimeout, Audit.Time, Audit.Token)
                .ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            UpstreamError ??= "h2: timeout to handshake with upstream";
            UpstreamEnd = RelayEnd.InterceptionError;
            AbortClient?.Invoke();
            await watch.DisposeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the task ended first
        }
    }

    private static SocketsHttpHandler Handler(H2InterceptionConfig c, Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect) => new()
    {
        ConnectCallback = connect,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        // The one connection must not be retired while the client's connection lives.
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = 1,
        EnableMultipleHttp2Connections = false,
        InitialHttp2StreamWindowSize = (int)Math.Clamp(c.StreamWindowSize, 65_535u, int.MaxValue),
        MaxResponseHeadersLength = (int)Math.Max(1, (c.MaxHeaderListSize + 1023) / 1024),
        KeepAlivePingDelay = c.PingInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : c.PingInterval,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
    };

    public void Dispose()
    {
        Invoker.Dispose();
        Interlocked.Exchange(ref _upstream, null)?.Dispose();
    }
}
