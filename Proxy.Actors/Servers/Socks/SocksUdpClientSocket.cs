using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Sockets;

namespace Proxy.Actors.Servers.Socks;

/// <summary>
/// The client-facing UDP socket of a UDP task: bound to a udp_bind_ipv4/ipv6 address of the
/// client's family when configured, else to the IP the client's TCP connection reached; a port
/// from udp_bind_port_range when set; udp_socket_buffer applied. The address told to the client
/// goes through transmute_udp_echo_ip.
/// </summary>
internal static class SocksUdpClientSocket
{
    /// <summary>Ports tried in a udp_bind_port_range before giving up.</summary>
    private const int MaxPortTries = 64;

    /// <param name="misc">The server's udp_misc_opts with the user's udp_client_misc_opts over them.</param>
    public static (Socket? Socket, string? Error) Bind(SocksProxyServerConfig config, ConnectionFacts facts, IPAddress? clientIp, UdpMiscSockOpts misc)
    {
        var local = facts.LocalAddr?.Address is { } l ? SocksReplies.Plain(l) : IPAddress.Loopback;
        var clientFamily = clientIp is { } c && !c.Equals(IPAddress.Any) && !c.Equals(IPAddress.IPv6Any)
            ? SocksReplies.Plain(c).AddressFamily
            : facts.PeerAddr?.Address is { } p ? SocksReplies.Plain(p).AddressFamily : local.AddressFamily;
        var configured = clientFamily == AddressFamily.InterNetwork ? config.UdpBindIpv4 : config.UdpBindIpv6;
        var ip = configured.Count > 0 ? configured[Random.Shared.Next(configured.Count)] : local;

        var socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            config.UdpSocketBuffer?.ApplyTo(socket);
            SocketOptions.ApplyUdp(socket, misc);
            if (config.UdpBindPortRange is not { } range)
            {
                socket.Bind(new IPEndPoint(ip, 0));
                return (socket, null);
            }
            var size = range.End - range.Start + 1;
            var first = Random.Shared.Next(size);
            for (var i = 0; i < Math.Min(size, MaxPortTries); i++)
            {
                try
                {
                    socket.Bind(new IPEndPoint(ip, range.Start + (first + i) % size));
                    return (socket, null);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                }
            }
            socket.Dispose();
            return (null, $"no free UDP port on {ip} in {range.Start}-{range.End}");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return (null, $"udp bind on {ip}: {e.SocketErrorCode}");
        }
        catch (IOException e)
        {
            socket.Dispose();
            return (null, $"udp socket on {ip}: udp_misc_opts.{e.Message}");
        }
    }

    /// <summary>g3's transmute_udp_echo_addr: the mapped IP, or the unspecified IP of the family when unmapped.</summary>
    public static IPEndPoint EchoAddr(SocksProxyServerConfig config, IPEndPoint local)
    {
        if (config.TransmuteUdpEchoIp is not { } map) return local;
        var ip = map.TryGetValue(local.Address, out var mapped)
            ? mapped
            : local.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        return new IPEndPoint(ip, local.Port);
    }
}
