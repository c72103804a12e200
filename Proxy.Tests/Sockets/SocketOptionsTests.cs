using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Sockets;

namespace Proxy.Tests.Sockets;

/// <summary>The options as the kernel reports them back (getsockopt) after <see cref="SocketOptions"/> set them.</summary>
public sealed class SocketOptionsTests
{
    private static int Get(Socket s, int level, int name)
    {
        var buf = new byte[4];
        s.GetRawSocketOption(level, name, buf);
        return BitConverter.ToInt32(buf);
    }

    private static string GetText(Socket s, int level, int name)
    {
        var buf = new byte[32];
        var n = s.GetRawSocketOption(level, name, buf);
        return Encoding.ASCII.GetString(buf, 0, n).TrimEnd('\0');
    }

    [Fact]
    public void TcpMiscOpts_Ipv4_ReadBackFromTheKernel()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var opts = new TcpMiscSockOpts
        {
            NoDelay = false, MaxSegmentSize = 1200, TimeToLive = 33, TypeOfService = 0x20, HopLimit = 9, TrafficClass = 0x40,
            CongestionControl = "reno", NetfilterMark = 7,
        };

        SocketOptions.ApplyTcp(s, opts, ipv4Peer: true);

        Assert.False(s.NoDelay);
        Assert.Equal(1200, Get(s, 6, 2));      // TCP_MAXSEG
        Assert.Equal(33, Get(s, 0, 2));        // IP_TTL
        Assert.Equal(0x20, Get(s, 0, 1));      // IP_TOS
        Assert.Equal("reno", GetText(s, 6, 13)); // TCP_CONGESTION
        Assert.Equal(7, Get(s, 1, 36));        // SO_MARK
    }

    [Fact]
    public void TcpMiscOpts_Ipv6_SetsHopsAndClass_AndNoDelayDefaultsOn()
    {
        using var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);

        SocketOptions.ApplyTcp(s, new TcpMiscSockOpts { HopLimit = 9, TrafficClass = 0x40, TimeToLive = 33 }, ipv4Peer: false);

        Assert.True(s.NoDelay);
        Assert.Equal(9, Get(s, 41, 16));       // IPV6_UNICAST_HOPS
        Assert.Equal(0x40, Get(s, 41, 67));    // IPV6_TCLASS
        Assert.NotEqual(33, Get(s, 0, 2));     // the IPv4 field is for IPv4 peers only, as in g3
    }

    [Fact]
    public void UdpMiscOpts_DualModeSocket_GetsBothFamilies()
    {
        using var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };

        SocketOptions.ApplyUdp(s, new UdpMiscSockOpts { TimeToLive = 45, HopLimit = 46, TypeOfService = 0x10, NetfilterMark = 3 });

        Assert.Equal(45, Get(s, 0, 2));
        Assert.Equal(0x10, Get(s, 0, 1));
        Assert.Equal(46, Get(s, 41, 16));
        Assert.Equal(3, Get(s, 1, 36));
    }

    [Fact]
    public void Keepalive_WithProbes_ReadBack()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        SocketOptions.ApplyKeepalive(s, new TcpKeepaliveConfig(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 4));

        Assert.NotEqual(0, Get(s, 1, 9));      // SO_KEEPALIVE
        Assert.Equal(30, Get(s, 6, 4));        // TCP_KEEPIDLE
        Assert.Equal(5, Get(s, 6, 5));         // TCP_KEEPINTVL
        Assert.Equal(4, Get(s, 6, 6));         // TCP_KEEPCNT
    }

    [Fact]
    public void RefusedOptions_NameTheKey()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var ca = Assert.Throws<IOException>(() => SocketOptions.ApplyTcp(s, new TcpMiscSockOpts { CongestionControl = "nosuchcc" }, ipv4Peer: true));
        var dev = Assert.Throws<IOException>(() => SocketOptions.BindToDevice(s, "nosuchif0"));

        Assert.StartsWith("congestion_control:", ca.Message);
        Assert.StartsWith("bind_interface nosuchif0:", dev.Message);
    }

    [Fact]
    public void AdjustTo_AsG3_UserMarkAndTosWin_SizesAndHopsTakeTheSmaller_NoDelayOnIfEither()
    {
        var escaper = new TcpMiscSockOpts { NoDelay = false, MaxSegmentSize = 1400, TimeToLive = 64, TypeOfService = 1, NetfilterMark = 5, CongestionControl = "cubic" };
        var user = new TcpMiscSockOpts { NoDelay = true, MaxSegmentSize = 1500, TimeToLive = 30, NetfilterMark = 9 };

        var merged = escaper.AdjustTo(user);

        Assert.Equal(new TcpMiscSockOpts { NoDelay = true, MaxSegmentSize = 1400, TimeToLive = 30, TypeOfService = 1, NetfilterMark = 9, CongestionControl = "cubic" }, merged);
        Assert.Same(escaper, escaper.AdjustTo(null));
        Assert.Equal(new UdpMiscSockOpts { TimeToLive = 3, NetfilterMark = 2 },
            new UdpMiscSockOpts { TimeToLive = 3, NetfilterMark = 1 }.AdjustTo(new UdpMiscSockOpts { TimeToLive = 8, NetfilterMark = 2 }));
        Assert.Equal(new TcpKeepaliveConfig(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(3), 2),
            TcpKeepaliveConfig.AdjustTo(new TcpKeepaliveConfig(TimeSpan.FromSeconds(20), ProbeCount: 2), new TcpKeepaliveConfig(TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(3), 5)));
    }
}
