using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Sockets;

namespace Proxy.Actors.Resolvers.Wire;

/// <summary>
/// How a resolver's sockets to its servers are set up: the source address (bind_ip), the device
/// (bind_interface) and the misc opts of each transport.
/// </summary>
internal sealed record DnsSocketSetup(IPAddress? Bind, string? Interface = null, TcpMiscSockOpts? Tcp = null, UdpMiscSockOpts? Udp = null)
{
    public static readonly DnsSocketSetup Unbound = new((IPAddress?)null);
}

/// <summary>The sockets every DNS transport starts from: set up as configured, connect bounded on the TimeProvider.</summary>
internal static class DnsSockets
{
    /// <summary>
    /// A fresh socket with its setup applied and bound; an option the kernel refuses is an
    /// <see cref="IOException"/> naming the key.
    /// </summary>
    public static Socket Open(IPEndPoint server, SocketType type, ProtocolType protocol, DnsSocketSetup setup)
    {
        var socket = new Socket(server.AddressFamily, type, protocol);
        try
        {
            if (setup.Interface is { } device) SocketOptions.BindToDevice(socket, device);
            if (type == SocketType.Stream) SocketOptions.ApplyTcp(socket, setup.Tcp ?? TcpMiscSockOpts.None, SocketOptions.IsIpv4(server.Address));
            else if (setup.Udp is { } udp) SocketOptions.ApplyUdp(socket, udp);
            if (setup.Bind is { } bind) socket.Bind(new IPEndPoint(bind, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A connected socket; a timeout shows as <see cref="TimeoutException"/>, other failures as <see cref="SocketException"/> or <see cref="IOException"/>.</summary>
    public static async Task<Socket> ConnectTcpAsync(IPEndPoint server, DnsSocketSetup setup, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var socket = Open(server, SocketType.Stream, ProtocolType.Tcp, setup);
        try
        {
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
