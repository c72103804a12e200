using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Sockets;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// The socket options a server sets on its client's sockets (tcp_misc_opts at accept, a user's
/// tcp_client_misc_opts over them when the task connects) and the user's options it passes on to
/// the escaper with the request.
/// </summary>
internal static class ClientSocketOptions
{
    /// <summary>The server's options on an accepted socket (no_delay was set by the accept loop).</summary>
    public static void Apply(Socket socket, TcpMiscSockOpts opts) =>
        SocketOptions.ApplyTcp(socket, opts, IsIpv4Peer(socket), defaultNoDelay: false);

    /// <summary>
    /// g3 sets the user's tcp_client_misc_opts, adjusted over the server's, on the client socket before
    /// the task connects; a user without them leaves the socket as accepted.
    /// </summary>
    public static void ApplyUser(ClientTransport client, TcpMiscSockOpts server, Users.User? user)
    {
        if (user?.TcpClientMiscOpts is not { } mine || client.Socket is not { } socket) return;
        SocketOptions.ApplyTcp(socket, server.AdjustTo(mine), IsIpv4Peer(socket), defaultNoDelay: true);
    }

    /// <summary>A user's client UDP options over the server's, for the client-side UDP socket.</summary>
    public static UdpMiscSockOpts Udp(UdpMiscSockOpts server, UserConfig? user) => server.AdjustTo(user?.UdpClientMiscOpts);

    /// <summary>What an escaper takes from the task's user: tcp_connect limits, remote socket options, remote keepalive.</summary>
    public static EscapeRequest ForUser(this EscapeRequest request, Users.User? user) =>
        // most users set none of these: no copy of the request, and no read of their config record
        user is not { ShapesEscape: true } ? request : request with
        {
            UserTcpConnect = user.Config.TcpConnect,
            UserTcpMiscOpts = user.Config.TcpRemoteMiscOpts,
            UserUdpMiscOpts = user.Config.UdpRemoteMiscOpts,
            UserTcpKeepalive = user.Config.TcpRemoteKeepalive,
        };

    private static bool IsIpv4Peer(Socket socket) =>
        socket.RemoteEndPoint is IPEndPoint peer ? SocketOptions.IsIpv4(peer.Address) : socket.AddressFamily == AddressFamily.InterNetwork;
}
