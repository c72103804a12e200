namespace Proxy.Actors.Stats;

/// <summary>
/// One user's counters on one server (g3's user.forbidden.*, user.connection.*, user.request.*,
/// user.traffic.*), or, with a <see cref="SiteId"/>, one of its explicit sites' (user.site.&lt;id&gt;.*,
/// which has no forbidden family). Created once per user, server and site and registered with the
/// server's <see cref="ServerStats.Users"/>; tasks hold it, so counting is an Interlocked add on an
/// array slot indexed by request type.
/// </summary>
public sealed class UserServerStats
{
    private readonly long[] _forbidden = new long[Enum.GetValues<UserForbidden>().Length];
    private readonly long[] _connections = new long[2];
    private readonly long[] _requests = new long[UserMetricNames.RequestTypes];
    private readonly int[] _alive = new int[UserMetricNames.RequestTypes];
    private readonly long[] _ready = new long[UserMetricNames.RequestTypes];
    private readonly long[] _reuse = new long[UserMetricNames.RequestTypes];
    private readonly long[] _renew = new long[UserMetricNames.RequestTypes];
    private readonly long[] _inBytes = new long[UserMetricNames.RequestTypes];
    private readonly long[] _outBytes = new long[UserMetricNames.RequestTypes];
    private readonly long[] _inPackets = new long[UserMetricNames.RequestTypes];
    private readonly long[] _outPackets = new long[UserMetricNames.RequestTypes];
    private int _l7Alive;

    public UserServerStats(UserStatsIdentity user, string? siteId)
    {
        User = user;
        SiteId = siteId;
    }

    internal UserServerStats(UserStatsIdentity user, string? siteId, IUserStatsOwner owner) : this(user, siteId) => Owner = owner;

    /// <summary>The holder that made it; null: kept as long as the server.</summary>
    internal IUserStatsOwner? Owner { get; }

    public UserStatsIdentity User { get; }
    /// <summary>The explicit site's id, or null for the user's own counters.</summary>
    public string? SiteId { get; }
    public long StatId { get; } = Stats.StatId.New();

    public long Forbidden(UserForbidden reason) => Interlocked.Read(ref _forbidden[(int)reason]);
    public long Connections(UserConnectionType type) => Interlocked.Read(ref _connections[(int)type]);
    public long Requests(UserRequestType type) => Interlocked.Read(ref _requests[(int)type]);
    public int Alive(UserRequestType type) => Volatile.Read(ref _alive[(int)type]);
    public long Ready(UserRequestType type) => Interlocked.Read(ref _ready[(int)type]);
    public long Reuse(UserRequestType type) => Interlocked.Read(ref _reuse[(int)type]);
    public long Renew(UserRequestType type) => Interlocked.Read(ref _renew[(int)type]);
    public long InBytes(UserRequestType type) => Interlocked.Read(ref _inBytes[(int)type]);
    public long OutBytes(UserRequestType type) => Interlocked.Read(ref _outBytes[(int)type]);
    public long InPackets(UserRequestType type) => Interlocked.Read(ref _inPackets[(int)type]);
    public long OutPackets(UserRequestType type) => Interlocked.Read(ref _outPackets[(int)type]);
    /// <summary>user.l7.connection.alive: the user's HTTP client connections open now (g3 keeps this gauge for http only).</summary>
    public int L7Alive => Volatile.Read(ref _l7Alive);

    public void Forbid(UserForbidden reason) => Interlocked.Increment(ref _forbidden[(int)reason]);
    public void ConnectionOpened(UserConnectionType type) => Interlocked.Increment(ref _connections[(int)type]);

    public void RequestStarted(UserRequestType type)
    {
        Interlocked.Increment(ref _requests[(int)type]);
        Interlocked.Increment(ref _alive[(int)type]);
    }

    public void L7Opened() => Interlocked.Increment(ref _l7Alive);
    public void L7Closed() => Interlocked.Decrement(ref _l7Alive);

    /// <summary>Nothing of the user runs on this server now: no request and no client connection alive.</summary>
    internal bool Idle
    {
        get
        {
            if (Volatile.Read(ref _l7Alive) != 0) return false;
            for (var i = 0; i < _alive.Length; i++)
                if (Volatile.Read(ref _alive[i]) != 0) return false;
            return true;
        }
    }

    public void RequestEnded(UserRequestType type) => Interlocked.Decrement(ref _alive[(int)type]);
    public void RequestReady(UserRequestType type) => Interlocked.Increment(ref _ready[(int)type]);
    public void RequestReused(UserRequestType type) => Interlocked.Increment(ref _reuse[(int)type]);
    public void RequestRenewed(UserRequestType type) => Interlocked.Increment(ref _renew[(int)type]);

    public void AddTraffic(UserRequestType type, long inBytes, long outBytes, long inPackets, long outPackets)
    {
        var i = (int)type;
        if (inBytes != 0) Interlocked.Add(ref _inBytes[i], inBytes);
        if (outBytes != 0) Interlocked.Add(ref _outBytes[i], outBytes);
        if (inPackets != 0) Interlocked.Add(ref _inPackets[i], inPackets);
        if (outPackets != 0) Interlocked.Add(ref _outPackets[i], outPackets);
    }
}

/// <summary>The user tags every user metric carries: user_group, user, user_type (g3's Static, Dynamic, ...).</summary>
public sealed record UserStatsIdentity(string Group, string User, string UserType);
