using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Proxy.Actors.Config.Auditors;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// One auditor's HTTP/2 server for the client side of h2 interception: Kestrel (HTTP/2 only,
/// prior knowledge: TLS is already done by the interception) with a transport that has no socket,
/// only the connections the interceptor hands it. Started on the first h2 connection; the
/// h2_interception limits are its settings.
/// </summary>
internal sealed class H2InterceptServer : IAsyncDisposable
{
    private readonly H2InterceptionConfig _config;
    private readonly Channel<H2ClientConnection> _incoming = Channel.CreateUnbounded<H2ClientConnection>();
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private KestrelServer? _server;
    private bool _disposed;

    public H2InterceptServer(H2InterceptionConfig config) => _config = config;

    /// <summary>Gives Kestrel the connection; false once the server is stopping.</summary>
    public async Task<bool> ServeAsync(H2ClientConnection connection, CancellationToken ct)
    {
        if (!await EnsureStartedAsync(ct).ConfigureAwait(false)) return false;
        return _incoming.Writer.TryWrite(connection);
    }

    private async Task<bool> EnsureStartedAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _server) is not null) return true;
        await _startLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_disposed) return false;
            if (_server is not null) return true;
            var server = new KestrelServer(Options.Create(KestrelOptions(_config)), new Transport(_incoming.Reader), NullLoggerFactory.Instance);
            await server.StartAsync(new H2StreamForwarder(), ct).ConfigureAwait(false);
            Volatile.Write(ref _server, server);
            return true;
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>h2_interception as Kestrel's limits; the proxy's own idle check, not Kestrel's, ends quiet connections.</summary>
    internal static KestrelServerOptions KestrelOptions(H2InterceptionConfig c)
    {
        var o = new KestrelServerOptions
        {
            AddServerHeader = false,
            // The client's :scheme is https (its TLS ended at the interception), not this transport's http.
            AllowAlternateSchemes = true,
            ApplicationServices = new ServiceCollection().BuildServiceProvider(),
        };
        var limits = o.Limits;
        limits.MaxRequestBodySize = null;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.KeepAliveTimeout = Timeout.InfiniteTimeSpan;
        limits.MaxRequestHeadersTotalSize = (int)Math.Min(c.MaxHeaderListSize, int.MaxValue);
        limits.MaxResponseBufferSize = c.MaxSendBufferSize;
        var h2 = limits.Http2;
        h2.MaxStreamsPerConnection = (int)Math.Clamp(c.MaxConcurrentStreams, 1u, int.MaxValue);
        h2.MaxFrameSize = (int)c.MaxFrameSizeValue;
        h2.MaxRequestHeaderFieldSize = (int)Math.Min(c.MaxHeaderListSize, int.MaxValue);
        h2.InitialStreamWindowSize = (int)Math.Clamp(c.StreamWindowSize, 65_535u, int.MaxValue);
        h2.InitialConnectionWindowSize = (int)Math.Clamp(Math.Max(c.ConnectionWindowSize, c.StreamWindowSize), 65_535u, int.MaxValue);
        o.Listen(new H2Endpoint(), l => l.Protocols = HttpProtocols.Http2);
        return o;
    }

    public async ValueTask DisposeAsync()
    {
        await _startLock.WaitAsync().ConfigureAwait(false);
        KestrelServer? server;
        try
        {
            _disposed = true;
            server = _server;
            _incoming.Writer.TryComplete();
        }
        finally
        {
            _startLock.Release();
        }
        if (server is null) return;
        // Open h2 connections belong to running tasks, which the node's stop ends; do not wait on them long.
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await server.StopAsync(grace.Token).ConfigureAwait(false);
        server.Dispose();
    }

    /// <summary>The address of the listener that is not a socket.</summary>
    private sealed class H2Endpoint : EndPoint
    {
        public override string ToString() => "h2-interception";
    }

    private sealed class Transport(ChannelReader<H2ClientConnection> incoming) : IConnectionListenerFactory
    {
        public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
            new(new Listener(endpoint, incoming));
    }

    private sealed class Listener(EndPoint endpoint, ChannelReader<H2ClientConnection> incoming) : IConnectionListener
    {
        public EndPoint EndPoint => endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await incoming.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
            {
                // null tells Kestrel the listener is done
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
