using System.Net.Security;
using System.Net.Sockets;

namespace Proxy.Actors.Relay;

/// <summary>One side of a relay: the stream bytes move through and the socket under it (for half-close).</summary>
public sealed record RelayEndpoint(Stream Stream, Socket? Socket)
{
    /// <summary>Ends the connection at once (the task was cancelled); pending reads and writes fail.</summary>
    public void Abort()
    {
        try
        {
            if (Socket is not null) Socket.Dispose();
            else Stream.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Pass a FIN along: TLS close_notify first when the stream is TLS.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        try
        {
            if ((Stream as SslStream ?? (Stream as Audit.Dump.DumpStream)?.Inner as SslStream) is { } ssl) await ssl.ShutdownAsync().ConfigureAwait(false);
            // Without a socket (an in-memory transport) there is no half-close: the pump's end closes it.
            Socket?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            // The peer is gone already; the other direction will see it.
        }
    }
}
