namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's tcp misc sock opts (tcp_misc_opts and the users' tcp_*_misc_opts): each field unset
/// leaves the kernel's value alone. Set on a socket by <see cref="Sockets.SocketOptions"/>.
/// </summary>
public sealed record TcpMiscSockOpts
{
    public static readonly TcpMiscSockOpts None = new();

    public bool? NoDelay { get; init; }
    /// <summary>TCP_MAXSEG (u16).</summary>
    public int? MaxSegmentSize { get; init; }
    /// <summary>IP_TTL (u8).</summary>
    public int? TimeToLive { get; init; }
    /// <summary>IPV6_UNICAST_HOPS (u8).</summary>
    public int? HopLimit { get; init; }
    /// <summary>IP_TOS (u8).</summary>
    public int? TypeOfService { get; init; }
    /// <summary>IPV6_TCLASS (u8).</summary>
    public int? TrafficClass { get; init; }
    /// <summary>TCP_CONGESTION algorithm name.</summary>
    public string? CongestionControl { get; init; }
    /// <summary>SO_MARK.</summary>
    public uint? NetfilterMark { get; init; }

    /// <summary>
    /// g3's adjust_to: a user's options over the server's or escaper's. no_delay is on if either
    /// asks for it; size and hop counts take the smaller; marks, classes and the algorithm take the user's.
    /// </summary>
    public TcpMiscSockOpts AdjustTo(TcpMiscSockOpts? user)
    {
        if (user is null || user == None) return this;
        return new TcpMiscSockOpts
        {
            NoDelay = NoDelay is null && user.NoDelay is null ? null : NoDelay == true || user.NoDelay == true,
            MaxSegmentSize = MiscSockOptsMerge.Min(MaxSegmentSize, user.MaxSegmentSize),
            TimeToLive = MiscSockOptsMerge.Min(TimeToLive, user.TimeToLive),
            HopLimit = MiscSockOptsMerge.Min(HopLimit, user.HopLimit),
            TypeOfService = user.TypeOfService ?? TypeOfService,
            TrafficClass = user.TrafficClass ?? TrafficClass,
            CongestionControl = user.CongestionControl ?? CongestionControl,
            NetfilterMark = user.NetfilterMark ?? NetfilterMark,
        };
    }
}

/// <summary>g3's udp misc sock opts (udp_misc_opts and the users' udp_*_misc_opts).</summary>
public sealed record UdpMiscSockOpts
{
    public static readonly UdpMiscSockOpts None = new();

    public int? TimeToLive { get; init; }
    public int? HopLimit { get; init; }
    public int? TypeOfService { get; init; }
    public int? TrafficClass { get; init; }
    public uint? NetfilterMark { get; init; }

    /// <summary>g3's adjust_to, as <see cref="TcpMiscSockOpts.AdjustTo"/>.</summary>
    public UdpMiscSockOpts AdjustTo(UdpMiscSockOpts? user)
    {
        if (user is null || user == None) return this;
        return new UdpMiscSockOpts
        {
            TimeToLive = MiscSockOptsMerge.Min(TimeToLive, user.TimeToLive),
            HopLimit = MiscSockOptsMerge.Min(HopLimit, user.HopLimit),
            TypeOfService = user.TypeOfService ?? TypeOfService,
            TrafficClass = user.TrafficClass ?? TrafficClass,
            NetfilterMark = user.NetfilterMark ?? NetfilterMark,
        };
    }
}

internal static class MiscSockOptsMerge
{
    /// <summary>g3's existed_min: the smaller of the set ones.</summary>
    public static int? Min(int? a, int? b) => a is { } x && b is { } y ? Math.Min(x, y) : a ?? b;
}
