using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Sockets;

/// <summary>
/// Sets g3's socket options on a socket: the misc opts, keepalive, the bound device, listener knobs.
/// The one place that knows the Linux option numbers (.NET has no SocketOptionName for SO_MARK,
/// SO_BINDTODEVICE, TCP_MAXSEG or TCP_CONGESTION, so they are set raw). A refused option is an
/// <see cref="IOException"/> naming the g3 key, so a connect or accept that fails says why.
/// </summary>
internal static class SocketOptions
{
    private const int SolSocket = 1, SolIp = 0, SolTcp = 6, SolIpv6 = 41;
    private const int SoBindToDevice = 25, SoMark = 36;
    private const int IpTos = 1, IpTtl = 2;
    private const int TcpMaxSeg = 2, TcpKeepIdle = 4, TcpKeepIntvl = 5, TcpKeepCnt = 6, TcpCongestion = 13;
    private const int Ipv6UnicastHops = 16, Ipv6Tclass = 67;

    /// <summary>
    /// tcp misc opts for traffic with a peer of the given family (g3 sets the IPv4 fields for an IPv4
    /// peer, a mapped one included, and the IPv6 ones otherwise). <paramref name="defaultNoDelay"/> is
    /// what an unset no_delay means where the socket is used.
    /// </summary>
    public static void ApplyTcp(Socket socket, TcpMiscSockOpts opts, bool ipv4Peer, bool defaultNoDelay = true)
    {
        if (opts.NoDelay is { } noDelay) Guard("no_delay", () => socket.NoDelay = noDelay);
        else if (defaultNoDelay) Guard("no_delay", () => socket.NoDelay = true);
        if (opts.MaxSegmentSize is { } mss) Set(socket, SolTcp, TcpMaxSeg, mss, "max_segment_size");
        SetIp(socket, ipv4Peer, opts.TimeToLive, opts.TypeOfService, opts.HopLimit, opts.TrafficClass);
        if (opts.CongestionControl is { } ca) Set(socket, SolTcp, TcpCongestion, Encoding.ASCII.GetBytes(ca), "congestion_control");
        if (opts.NetfilterMark is { } mark) SetMark(socket, mark);
    }

    /// <summary>
    /// udp misc opts for every family the socket sends to: a dual-mode IPv6 socket gets the IPv4 fields
    /// too (Linux uses them for its mapped traffic).
    /// </summary>
    public static void ApplyUdp(Socket socket, UdpMiscSockOpts opts)
    {
        if (opts == UdpMiscSockOpts.None) return;
        var v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
        if (!v6 || socket.DualMode) SetIp(socket, ipv4Peer: true, opts.TimeToLive, opts.TypeOfService, null, null);
        if (v6) SetIp(socket, ipv4Peer: false, null, null, opts.HopLimit, opts.TrafficClass);
        if (opts.NetfilterMark is { } mark) SetMark(socket, mark);
    }

    /// <summary>The family whose header fields count for traffic with <paramref name="peer"/>.</summary>
    public static bool IsIpv4(IPAddress peer) => peer.AddressFamily == AddressFamily.InterNetwork || peer.IsIPv4MappedToIPv6;

    /// <summary>Keepalive on with g3's idle time and, when set, the probe interval and count; null leaves it off.</summary>
    public static void ApplyKeepalive(Socket socket, TcpKeepaliveConfig? keepalive)
    {
        if (keepalive is null || keepalive.IdleTime <= TimeSpan.Zero) return;
        Guard("tcp_keepalive", () =>
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            if (!OperatingSystem.IsLinux()) return;
            socket.SetRawSocketOption(SolTcp, TcpKeepIdle, Int(Seconds(keepalive.IdleTime)));
            if (keepalive.ProbeInterval is { } interval) socket.SetRawSocketOption(SolTcp, TcpKeepIntvl, Int(Seconds(interval)));
            if (keepalive.ProbeCount is { } count) socket.SetRawSocketOption(SolTcp, TcpKeepCnt, Int(count));
        });
    }

    /// <summary>SO_BINDTODEVICE: the socket sends and receives only through this interface.</summary>
    public static void BindToDevice(Socket socket, string device)
    {
        if (!OperatingSystem.IsLinux()) throw new IOException($"bind_interface {device}: only on Linux");
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(device + "\0"));
        }
        catch (SocketException e)
        {
            // the kernel's ENODEV has no SocketError of its own: say what it means
            var why = NetworkInterface.GetAllNetworkInterfaces().Any(i => i.Name == device) ? e.Message : "no such interface";
            throw new IOException($"bind_interface {device}: {why}", e);
        }
    }

    /// <summary>TCP_MAXSEG alone (a listener's max_segment_size).</summary>
    public static void SetMaxSegmentSize(Socket socket, int mss) => Set(socket, SolTcp, TcpMaxSeg, mss, "max_segment_size");

    public static void SetMark(Socket socket, uint mark) =>
        Set(socket, SolSocket, SoMark, unchecked((int)mark), "netfilter_mark");

    private static void SetIp(Socket socket, bool ipv4Peer, int? ttl, int? tos, int? hops, int? tclass)
    {
        if (ipv4Peer)
        {
            if (ttl is { } t) Set(socket, SolIp, IpTtl, t, "time_to_live");
            if (tos is { } s) Set(socket, SolIp, IpTos, s, "type_of_service");
        }
        else
        {
            if (hops is { } h) Set(socket, SolIpv6, Ipv6UnicastHops, h, "hop_limit");
            if (tclass is { } c) Set(socket, SolIpv6, Ipv6Tclass, c, "traffic_class");
        }
    }

    private static int Seconds(TimeSpan t) => Math.Max(1, (int)Math.Ceiling(t.TotalSeconds));

    private static byte[] Int(int value) => BitConverter.GetBytes(value);

    private static void Set(Socket socket, int level, int name, int value, string what) => Set(socket, level, name, Int(value), what);

    private static void Set(Socket socket, int level, int name, byte[] value, string what)
    {
        if (!OperatingSystem.IsLinux()) throw new IOException($"{what}: only on Linux");
        Guard(what, () => socket.SetRawSocketOption(level, name, value));
    }

    private static void Guard(string what, Action set)
    {
        try
        {
            set();
        }
        catch (SocketException e)
        {
            throw new IOException($"{what}: {e.Message}", e);
        }
    }
}
