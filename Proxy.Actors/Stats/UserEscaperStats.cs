namespace Proxy.Actors.Stats;

/// <summary>
/// One user's (or one of its explicit sites') bytes with one escaper's upstreams: g3's
/// user.upstream.traffic.* (user.site.&lt;id&gt;.upstream.traffic.*), by transport. Registered with
/// the escaper's <see cref="EscaperStats.Users"/>; tasks add to it when their bytes are published.
/// </summary>
public sealed class UserEscaperStats(UserStatsIdentity user, string? siteId)
{
    private long _tcpIn, _tcpOut, _udpIn, _udpOut, _udpInPackets, _udpOutPackets;

    internal UserEscaperStats(UserStatsIdentity user, string? siteId, IUserStatsOwner owner, EscaperStats escaper) : this(user, siteId)
    {
        Owner = owner;
        Escaper = escaper;
    }

    /// <summary>The escaper these counters are the user's on (its holder's key; null outside a holder).</summary>
    internal EscaperStats? Escaper { get; }

    private volatile bool _forgotten;

    /// <summary>Its holder dropped it (the user left its group and nothing of it ran): a user that still remembers it looks it up anew.</summary>
    internal bool Forgotten { get => _forgotten; set => _forgotten = value; }

    /// <summary>The holder that made it; null: kept as long as the escaper.</summary>
    internal IUserStatsOwner? Owner { get; }

    public UserStatsIdentity User { get; } = user;
    public string? SiteId { get; } = siteId;
    public long StatId { get; } = Stats.StatId.New();

    public long TcpInBytes => Interlocked.Read(ref _tcpIn);
    public long TcpOutBytes => Interlocked.Read(ref _tcpOut);
    public long UdpInBytes => Interlocked.Read(ref _udpIn);
    public long UdpOutBytes => Interlocked.Read(ref _udpOut);
    public long UdpInPackets => Interlocked.Read(ref _udpInPackets);
    public long UdpOutPackets => Interlocked.Read(ref _udpOutPackets);

    public void AddTcp(long inBytes, long outBytes)
    {
        if (inBytes != 0) Interlocked.Add(ref _tcpIn, inBytes);
        if (outBytes != 0) Interlocked.Add(ref _tcpOut, outBytes);
    }

    public void AddUdp(long inBytes, long outBytes, long inPackets, long outPackets)
    {
        if (inBytes != 0) Interlocked.Add(ref _udpIn, inBytes);
        if (outBytes != 0) Interlocked.Add(ref _udpOut, outBytes);
        if (inPackets != 0) Interlocked.Add(ref _udpInPackets, inPackets);
        if (outPackets != 0) Interlocked.Add(ref _udpOutPackets, outPackets);
    }
}
