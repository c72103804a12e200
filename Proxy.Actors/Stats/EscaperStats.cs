namespace Proxy.Actors.Stats;

/// <summary>
/// One escaper's counters under g3's names (escaper.task.total, escaper.connection.*,
/// escaper.tcp.connect.*, escaper.forbidden.ip_blocked, escaper.traffic.*). Registered per
/// escaper name, so a reload keeps counting into the same object. Interlocked fields only.
/// </summary>
public sealed class EscaperStats
{
    private long _tasks;
    private long _connAttempt;
    private long _connEstablish;
    private long _tcpAttempt;
    private long _tcpEstablish;
    private long _tcpSuccess;
    private long _tcpError;
    private long _tcpTimeout;
    private long _ipBlocked;
    private long _inBytes;
    private long _outBytes;

    public long StatId { get; } = Stats.StatId.New();
    /// <summary>The users' upstream counters through this escaper (g3's user.upstream.traffic.*).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<UserEscaperStats, byte> Users { get; } = new();
    public long TaskTotal => Interlocked.Read(ref _tasks);
    public long ConnectionAttempt => Interlocked.Read(ref _connAttempt);
    public long ConnectionEstablish => Interlocked.Read(ref _connEstablish);
    public long TcpConnectAttempt => Interlocked.Read(ref _tcpAttempt);
    public long TcpConnectEstablish => Interlocked.Read(ref _tcpEstablish);
    public long TcpConnectSuccess => Interlocked.Read(ref _tcpSuccess);
    public long TcpConnectError => Interlocked.Read(ref _tcpError);
    public long TcpConnectTimeout => Interlocked.Read(ref _tcpTimeout);
    public long ForbiddenIpBlocked => Interlocked.Read(ref _ipBlocked);
    public long InBytes => Interlocked.Read(ref _inBytes);
    public long OutBytes => Interlocked.Read(ref _outBytes);

    public void TaskStarted() => Interlocked.Increment(ref _tasks);

    /// <summary>A connection to the next hop is wanted (one per task that gets this far).</summary>
    public void ConnectionAttempted() => Interlocked.Increment(ref _connAttempt);

    /// <summary>
    /// The outcome of one connect race: <paramref name="tries"/> TCP connects were started;
    /// one of them won (and is used) when <paramref name="established"/>; the rest failed,
    /// as timeouts when <paramref name="timedOut"/>.
    /// </summary>
    public void TcpConnected(int tries, bool established, bool timedOut)
    {
        if (tries > 0) Interlocked.Add(ref _tcpAttempt, tries);
        var failed = established ? tries - 1 : tries;
        if (established)
        {
            Interlocked.Increment(ref _connEstablish);
            Interlocked.Increment(ref _tcpEstablish);
            Interlocked.Increment(ref _tcpSuccess);
        }
        if (failed > 0)
        {
            if (timedOut) Interlocked.Add(ref _tcpTimeout, failed);
            else Interlocked.Add(ref _tcpError, failed);
        }
    }

    public void IpBlocked() => Interlocked.Increment(ref _ipBlocked);

    public void AddTraffic(long inBytes, long outBytes)
    {
        if (inBytes != 0) Interlocked.Add(ref _inBytes, inBytes);
        if (outBytes != 0) Interlocked.Add(ref _outBytes, outBytes);
    }
}
