using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Common;

/// <summary>How a client connection ends: at once, or staged after an error reply.</summary>
internal static class TransportCloser
{
    /// <summary>How long, and how much, a closing connection drains after an error reply.</summary>
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);
    private const long LingerMaxBytes = 64L * 1024 * 1024;

    public static async Task CloseAsync(ClientTransport transport, bool afterError, TimeProvider time, CancellationToken ct)
    {
        if (afterError) await LingerAsync(transport, time, ct).ConfigureAwait(false);
        if (transport.Socket is { } socket)
        {
            try { socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            socket.Dispose();
        }
        try { await transport.Stream.DisposeAsync().ConfigureAwait(false); }
        catch (Exception e) when (IoErrors.IsExpected(e)) { }
    }

    /// <summary>
    /// RFC 9112 9.6 staged close. After an error reply the client may still be sending (an
    /// upload to a forbidden host, the rest of an oversized head); closing with those bytes
    /// unread makes the kernel send a reset, and the client then sees "broken pipe" or
    /// "connection reset" instead of our reply. So: half-close, then read and discard until
    /// the client closes too, for at most LingerTime / LingerMaxBytes.
    /// </summary>
    private static async Task LingerAsync(ClientTransport transport, TimeProvider time, CancellationToken ct)
    {
        try
        {
            if (transport.Stream is SslStream ssl) await ssl.ShutdownAsync().ConfigureAwait(false);
            transport.Socket?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            return;
        }
        using var limit = new CancellationTokenSource(LingerTime, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, ct);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long drained = 0;
            while (drained < LingerMaxBytes)
            {
                var n = await transport.Stream.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
                if (n == 0) return;
                drained += n;
            }
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            // Reset by the client, node stopping, or the limit: close now either way.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
