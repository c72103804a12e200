using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Wire;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Resolvers.Hickory;

/// <summary>
/// DNS over TLS (RFC 7858): length-framed DNS messages inside a TLS session set up by the one
/// TLS client helper. Connections are kept for the next query (up to <see cref="MaxIdle"/>
/// idle), as RFC 7858 3.4 asks; one in use carries one query at a time.
/// </summary>
internal sealed class TlsDnsExchange(
    IPEndPoint server, DnsSocketSetup setup, DnsEncryptionConfig encryption, TimeSpan connectTimeout, TimeSpan requestTimeout, TimeProvider time)
    : IDnsExchange, IDisposable
{
    private const int MaxIdle = 4;
    private readonly ConcurrentQueue<Stream> _idle = new();
    private int _disposed;

    public string Server => $"tls://{server}";

    public async Task<DnsExchangeResult> ExchangeAsync(byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        // A kept connection may have been closed by the server meanwhile: then a fresh one.
        while (_idle.TryDequeue(out var kept))
        {
            var reused = await OnAsync(kept, query, id, type, ct).ConfigureAwait(false);
            if (reused.Failure != DnsExchangeFailure.Unreachable) return reused;
        }
        Stream stream;
        try
        {
            var socket = await DnsSockets.ConnectTcpAsync(server, setup, connectTimeout, time, ct).ConfigureAwait(false);
            using var timer = new CancellationTokenSource(connectTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            var (ssl, error) = await TlsClientHandshake.ConnectAsync(
                new NetworkStream(socket, ownsSocket: true), encryption.TlsName, encryption.TlsClient, time, linked.Token).ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                if (ssl is not null) await ssl.DisposeAsync().ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
            if (ssl is null) return DnsExchangeResult.Unreachable($"{Server}: {error}");
            stream = ssl;
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            return e switch
            {
                TimeoutException => DnsExchangeResult.TimedOut($"{Server}: {e.Message}"),
                SocketException s => DnsExchangeResult.Unreachable($"{Server}: {s.SocketErrorCode}"),
                _ => DnsExchangeResult.Unreachable($"{Server}: {e.Message}"),
            };
        }
        return await OnAsync(stream, query, id, type, ct).ConfigureAwait(false);
    }

    private async Task<DnsExchangeResult> OnAsync(Stream stream, byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(requestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            var reply = await DnsStreamFraming.ExchangeAsync(stream, query, id, type, linked.Token).ConfigureAwait(false);
            if (reply is null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                return DnsExchangeResult.Unreachable($"{Server}: malformed reply");
            }
            Keep(stream);
            return DnsExchangeResult.Of(reply.Value);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return DnsExchangeResult.TimedOut($"no answer from {Server} within request_timeout");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or SocketException or ObjectDisposedException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return DnsExchangeResult.Unreachable($"{Server}: {e.Message}");
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Keep(Stream stream)
    {
        if (Volatile.Read(ref _disposed) == 0 && _idle.Count < MaxIdle) _idle.Enqueue(stream);
        else stream.Dispose();
        // Dispose may have run between the check and the enqueue: never leave a stream behind it.
        if (Volatile.Read(ref _disposed) != 0) Drain();
    }

    private void Drain()
    {
        while (_idle.TryDequeue(out var s)) s.Dispose();
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        Drain();
    }
}
