using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Sockets;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>
/// Opens one TCP connection. The escaper owns retries, timeouts and classification; this
/// seam exists so tests can inject hangs and unreachable networks without leaving loopback.
/// Failures are thrown (SocketException, or IOException for an option the kernel refused);
/// the escaper turns them into values.
/// </summary>
public interface ISocketConnector
{
    ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct);

    /// <summary>With the options to set before the SYN leaves; a fake that ignores them may keep the short form.</summary>
    ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, TcpSocketSetup? setup, CancellationToken ct) =>
        ConnectAsync(target, bindIp, ct);
}

/// <summary>
/// What an escaper sets on each outgoing TCP socket before it connects: bind_interface, tcp_misc_opts
/// (already merged with the user's tcp_remote_misc_opts) and tcp_keepalive.
/// </summary>
public sealed record TcpSocketSetup(string? BindInterface, TcpMiscSockOpts Misc, TcpKeepaliveConfig? Keepalive)
{
    /// <summary>Nothing beyond g3's default no_delay.</summary>
    public static readonly TcpSocketSetup Plain = new(null, TcpMiscSockOpts.None, null);
}

/// <summary>
/// The real thing: a fresh socket with its setup applied, bound to <c>bindIp</c> when one is given.
/// </summary>
public sealed class SocketConnector : ISocketConnector
{
    public static readonly SocketConnector Instance = new();

    public ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct) =>
        ConnectAsync(target, bindIp, null, ct);

    public async ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, TcpSocketSetup? setup, CancellationToken ct)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            setup ??= TcpSocketSetup.Plain;
            if (setup.BindInterface is { } device) SocketOptions.BindToDevice(socket, device);
            // Proxied traffic is interactive: unless told otherwise, never let Nagle hold a small write back.
            SocketOptions.ApplyTcp(socket, setup.Misc, SocketOptions.IsIpv4(target.Address));
            SocketOptions.ApplyKeepalive(socket, setup.Keepalive);
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
