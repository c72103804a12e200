using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Protocols.Icap;
using Proxy.Actors.Relay;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Audit.Icap;

/// <summary>
/// One ICAP service (an <c>icap_reqmod_service</c> or <c>icap_respmod_service</c>): how to reach it
/// (<c>icap://</c>, <c>icaps://</c> with tls_client, use_unix_socket) and its keep-alive pool. A new
/// connection asks OPTIONS first, as g3 does, and keeps the answer; an idle connection leaves the
/// pool after the pool's idle_timeout or its Options-TTL, or when the server closed it.
/// </summary>
internal sealed class IcapService(IcapServiceConfig config, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentQueue<(IcapConnection Conn, long IdleSince)> _idle = new();
    private int _idleCount;
    private int _disposed;

    public IcapServiceConfig Config { get; } = config;
    public TimeProvider Time { get; } = time;
    public string Method => Config.Method == IcapMethod.Reqmod ? "REQMOD" : "RESPMOD";

    /// <summary>A pooled connection or a new one with its OPTIONS, all within <paramref name="wait"/>.</summary>
    public async Task<(IcapConnection? Conn, string? Error)> FetchAsync(TimeSpan wait, CancellationToken ct)
    {
        while (_idle.TryDequeue(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            if (Usable(idle.Conn, idle.IdleSince))
            {
                idle.Conn.Reused = true;
                return (idle.Conn, null);
            }
            await idle.Conn.DisposeAsync().ConfigureAwait(false);
        }
        using var limit = new CancellationTokenSource(wait, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        Stream? stream = null;
        try
        {
            stream = await ConnectAsync(linked.Token).ConfigureAwait(false);
            if (Config.TlsClient is { } tls)
            {
                var (ssl, error) = await TlsClientHandshake.ConnectAsync(stream, Config.TlsName.Length > 0 ? Config.TlsName : Config.Host, tls, Time, linked.Token).ConfigureAwait(false);
                if (ssl is null)
                {
                    stream = null;
                    return (null, "ICAP " + error);
                }
                stream = ssl;
            }
            var conn = new IcapConnection(stream);
            stream = null;
            var optionsError = await AskOptionsAsync(conn, linked.Token).ConfigureAwait(false);
            if (optionsError is null) return (conn, null);
            await conn.DisposeAsync().ConfigureAwait(false);
            return (null, "ICAP OPTIONS: " + optionsError);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            return (null, $"cannot reach the ICAP server {Config.Url.Authority} within {wait.TotalSeconds:0.###}s");
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            return (null, $"cannot connect to the ICAP server {Config.Url.Authority}: {e.Message}");
        }
    }

    /// <summary>Back to the pool when the exchange left it clean (<paramref name="clean"/>), else closed.</summary>
    public async ValueTask ReleaseAsync(IcapConnection conn, bool clean)
    {
        if (clean && Volatile.Read(ref _disposed) == 0 && Interlocked.Increment(ref _idleCount) <= Config.ConnectionPool.MaxIdleCount)
        {
            _idle.Enqueue((conn, Time.GetTimestamp()));
            return;
        }
        if (clean) Interlocked.Decrement(ref _idleCount);
        await conn.DisposeAsync().ConfigureAwait(false);
    }

    private bool Usable(IcapConnection conn, long idleSince)
    {
        if (Time.GetElapsedTime(idleSince) >= Config.ConnectionPool.IdleTimeout) return false;
        if (conn.Options?.Ttl is { } ttl && Time.GetElapsedTime(conn.OptionsAt) >= ttl) return false;
        // Anything readable on an idle ICAP connection (data or the server's close) makes it unusable.
        if (!conn.Reader.TryRead(out var r)) return true;
        var stray = !r.Buffer.IsEmpty || r.IsCompleted;
        conn.Reader.AdvanceTo(r.Buffer.Start, r.Buffer.End);
        return !stray;
    }

    private async Task<Stream> ConnectAsync(CancellationToken ct)
    {
        if (Config.UseUnixSocket is { } path)
        {
            // As g3: the unix socket first, the URL's address when it cannot be used.
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                return new NetworkStream(unix, ownsSocket: true);
            }
            catch (SocketException)
            {
                unix.Dispose();
            }
        }
        var addresses = IPAddress.TryParse(Config.Host.Trim('[', ']'), out var ip) ? [ip] : await Dns.GetHostAddressesAsync(Config.Host, ct).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        var socket = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            Sockets.SocketOptions.ApplyKeepalive(socket, Config.TcpKeepalive);
            await socket.ConnectAsync(new IPEndPoint(addresses[0], Config.Port), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>OPTIONS on a new connection (g3 sends <c>Allow: 204</c> with it); a body in the answer is read and dropped.</summary>
    private async Task<string?> AskOptionsAsync(IcapConnection conn, CancellationToken ct)
    {
        var head = new IcapRequestHead("OPTIONS", Config.Url, Config.BasicAuth).Field("Allow", "204").Build();
        await conn.Stream.WriteAsync(head, ct).ConfigureAwait(false);
        // The fetch's own deadline already runs; the head read shares it.
        var (rsp, error) = await IcapWire.ReadHeadAsync(conn.Reader, Config.IcapMaxHeaderSize, Timeout.InfiniteTimeSpan, Time, ct).ConfigureAwait(false);
        if (rsp is null) return error;
        var options = IcapOptions.FromHead(rsp, Method, out error);
        if (options is null) return error;
        if (Encapsulated.Parse(rsp.Headers.Get("Encapsulated")) is { HasBody: true }
            && !await DecodedBody.DrainAsync(conn.Reader, Config.IcapMaxHeaderSize, ct).ConfigureAwait(false))
            return "broken OPTIONS body";
        conn.Options = options;
        conn.OptionsAt = Time.GetTimestamp();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        while (_idle.TryDequeue(out var idle)) await idle.Conn.DisposeAsync().ConfigureAwait(false);
    }
}
