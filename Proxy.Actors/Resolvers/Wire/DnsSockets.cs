using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Resolvers.Wire;

/// <summary>The TCP connection the stream transports (DoT, DoH) start from: bound when asked, connect bounded on the TimeProvider.</summary>
internal static class DnsSockets
{
    /// <summary>A connected socket; a timeout shows as <see cref="TimeoutException"/>, other failures as <see cref="SocketException"/>.</summary>
    public static async Task<Socket> ConnectTcpAsync(IPEndPoint server, IPAddress? bind, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (bind is not null) socket.Bind(new IPEndPoint(bind, 0));
            using var timer = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            try
            {
                await socket.ConnectAsync(server, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"connect to {server} timed out");
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
