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
    // A request's counters of one type side by side in one block (index type * Fields + field): a task
    // counts into one or two cache lines of its user's, not one array per counter.
    private const int FRequests = 0, FAlive = 1, FReady = 2, FReuse = 3, FRenew = 4, FInBytes = 5, FOutBytes = 6, FInPackets = 7, FOutPackets = 8;
    internal const int Fields = 9;
    // in the object itself, not in an array beside it: one object less for a request to reach
    private PerTypeCounters _perType;
    // counted on a user's first request on each client connection: inline too
    private ConnectionCounters _connections;
    private int _l7Alive;

    public UserServerStats(UserStatsIdentity user, string? siteId)
    {
        User = user;
        SiteId = siteId;
    }

    internal UserServerStats(UserStatsIdentity user, string? siteId, IUserStatsOwner owner, ServerStats server) : this(user, siteId)
    {
        Owner = owner;
        Server = server;
    }

    /// <summary>The server these counters are the user's on (its holder's key; null outside a holder).</summary>
    internal ServerStats? Server { get; }

    private volatile bool _forgotten;

    /// <summary>Its holder dropped it (the user left its group and nothing of it ran): a user that still remembers it looks it up anew.</summary>
    internal bool Forgotten { get => _forgotten; set => _forgotten = value; }

    /// <summary>The holder that made it; null: kept as long as the server.</summary>
    internal IUserStatsOwner? Owner { get; }

    public UserStatsIdentity User { get; }
    /// <summary>The explicit site's id, or null for the user's own counters.</summary>
    public string? SiteId { get; }
    public long StatId { get; } = Stats.StatId.New();

    public long Forbidden(UserForbidden reason) => Interlocked.Read(ref _forbidden[(int)reason]);
    public long Connections(UserConnectionType type) => Interlocked.Read(ref _connections[(int)type]);
    public long Requests(UserRequestType type) => Interlocked.Read(ref At(type, FRequests));
    public int Alive(UserRequestType type) => (int)Volatile.Read(ref At(type, FAlive));
    public long Ready(UserRequestType type) => Interlocked.Read(ref At(type, FReady));
    public long Reuse(UserRequestType type) => Interlocked.Read(ref At(type, FReuse));
    public long Renew(UserRequestType type) => Interlocked.Read(ref At(type, FRenew));
    public long InBytes(UserRequestType type) => Interlocked.Read(ref At(type, FInBytes));
    public long OutBytes(UserRequestType type) => Interlocked.Read(ref At(type, FOutBytes));
    public long InPackets(UserRequestType type) => Interlocked.Read(ref At(type, FInPackets));
    public long OutPackets(UserRequestType type) => Interlocked.Read(ref At(type, FOutPackets));
    /// <summary>user.l7.connection.alive: the user's HTTP client connections open now (g3 keeps this gauge for http only).</summary>
    public int L7Alive => Volatile.Read(ref _l7Alive);

    public void Forbid(UserForbidden reason) => Interlocked.Increment(ref _forbidden[(int)reason]);
    public void ConnectionOpened(UserConnectionType type) => Interlocked.Increment(ref _connections[(int)type]);

    public void RequestStarted(UserRequestType type)
    {
        Interlocked.Increment(ref At(type, FRequests));
        Interlocked.Increment(ref At(type, FAlive));
    }

    public void L7Opened() => Interlocked.Increment(ref _l7Alive);
    public void L7Closed() => Interlocked.Decrement(ref _l7Alive);

    /// <summary>Nothing of the user runs on this server now: no request and no client connection alive.</summary>
    internal bool Idle
    {
        get
        {
            if (Volatile.Read(ref _l7Alive) != 0) return false;
            for (var t = 0; t < UserMetricNames.RequestTypes; t++)
                if (Volatile.Read(ref _perType[t * Fields + FAlive]) != 0) return false;
            return true;
        }
    }

    public void RequestEnded(UserRequestType type) => Interlocked.Decrement(ref At(type, FAlive));
    public void RequestReady(UserRequestType type) => Interlocked.Increment(ref At(type, FReady));
    public void RequestReused(UserRequestType type) => Interlocked.Increment(ref At(type, FReuse));
    public void RequestRenewed(UserRequestType type) => Interlocked.Increment(ref At(type, FRenew));

    public void AddTraffic(UserRequestType type, long inBytes, long outBytes, long inPackets, long outPackets)
    {
        if (inBytes != 0) Interlocked.Add(ref At(type, FInBytes), inBytes);
        if (outBytes != 0) Interlocked.Add(ref At(type, FOutBytes), outBytes);
        if (inPackets != 0) Interlocked.Add(ref At(type, FInPackets), inPackets);
        if (outPackets != 0) Interlocked.Add(ref At(type, FOutPackets), outPackets);
    }

    private ref long At(UserRequestType type, int field) => ref _perType[(int)type * Fields + field];
}

/// <summary>The user tags every user metric carries: user_group, user, user_type (g3's Static, Dynamic, ...).</summary>
public sealed record UserStatsIdentity(string Group, string User, string UserType);

/// <summary>The client connections by <see cref="UserConnectionType"/>.</summary>
[System.Runtime.CompilerServices.InlineArray(2)]
internal struct ConnectionCounters
{
    private long _first;
}

/// <summary>The counters of every request type, <see cref="UserServerStats"/>'s layout.</summary>
[System.Runtime.CompilerServices.InlineArray(UserMetricNames.RequestTypes * UserServerStats.Fields)]
internal struct PerTypeCounters
{
    private long _first;
}
