using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>
/// Opens one TCP connection. The escaper owns retries, timeouts and classification; this
/// seam exists so tests can inject hangs and unreachable networks without leaving loopback.
/// Failures are thrown (SocketException); the escaper turns them into values.
/// </summary>
public interface ISocketConnector
{
    ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct);
}

/// <summary>
/// The real thing: a fresh socket, bound to <c>bindIp</c> when one is given, and to a network
/// interface (bind_interface, Linux SO_BINDTODEVICE) when the connector was made with one.
/// </summary>
public sealed class SocketConnector(string? bindInterface = null) : ISocketConnector
{
    public static readonly SocketConnector Instance = new();

    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    public async ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (bindInterface is not null)
                socket.SetRawSocketOption(SolSocket, SoBindToDevice, System.Text.Encoding.ASCII.GetBytes(bindInterface + "\0"));
            if (bindIp is not null) socket.Bind(new IPEndPoint(bindIp, 0));
            await socket.ConnectAsync(target, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
