using Proxy.Actors.Logging;

namespace Proxy.Actors.Stats;

/// <summary>
/// A server's counters (g3's server.connection.total, server.task.total, server.task.alive,
/// server.traffic.*). Plain Interlocked fields on the hot path; the stats actor and
/// `server status` sample them.
/// </summary>
public sealed class ServerStats
{
    private long _connections;
    private long _tasks;
    private long _aliveTasks;
    private long _aliveConnections;
    private long _inBytes;
    private long _outBytes;
    private int _offline;
    private long _accepted;
    private long _dropped;
    private long _acceptFailed;
    private int _listenInstances;
    private long _forbiddenAuthFailed;
    private long _forbiddenDestDenied;
    private long _forbiddenUserBlocked;
    private readonly LiveTraffic _live = new();

    public long StatId { get; } = Stats.StatId.New();
    /// <summary>The user and user-site counters of this server's tasks (g3's user.* and user.site.* families).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<UserServerStats, byte> Users { get; } = new();
    public long ConnectionTotal => Interlocked.Read(ref _connections);
    public long TaskTotal => Interlocked.Read(ref _tasks);
    public long AliveTasks => Interlocked.Read(ref _aliveTasks);
    public long AliveConnections => Interlocked.Read(ref _aliveConnections);
    /// <summary>Bytes read from clients (server.traffic.in.bytes).</summary>
    public long InBytes => Interlocked.Read(ref _inBytes);
    /// <summary>Bytes written to clients (server.traffic.out.bytes).</summary>
    public long OutBytes => Interlocked.Read(ref _outBytes);
    /// <summary>g3's <c>online</c> tag: false once the server stopped accepting (offline/drain).</summary>
    public bool Online => Volatile.Read(ref _offline) == 0;

    /// <summary>listen.accepted: sockets the listeners accepted (dropped ones included).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);
    /// <summary>listen.dropped: accepted sockets closed at once by the ingress filter.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>listen.failed: accept calls that failed.</summary>
    public long AcceptFailed => Interlocked.Read(ref _acceptFailed);
    /// <summary>listen.instance.count: listening sockets open now.</summary>
    public int ListenInstances => Volatile.Read(ref _listenInstances);

    /// <summary>server.forbidden.auth_failed: logins refused for any reason but a block (no or wrong credentials, expired, source not allowed, no usable SOCKS method).</summary>
    public long ForbiddenAuthFailed => Interlocked.Read(ref _forbiddenAuthFailed);
    /// <summary>server.forbidden.dest_denied: requests the server's own destination rules refused.</summary>
    public long ForbiddenDestDenied => Interlocked.Read(ref _forbiddenDestDenied);
    /// <summary>server.forbidden.user_blocked: logins of a user with block_and_delay.</summary>
    public long ForbiddenUserBlocked => Interlocked.Read(ref _forbiddenUserBlocked);

    public void ForbidAuthFailed() => Interlocked.Increment(ref _forbiddenAuthFailed);
    public void ForbidDestDenied() => Interlocked.Increment(ref _forbiddenDestDenied);
    public void ForbidUserBlocked() => Interlocked.Increment(ref _forbiddenUserBlocked);

    public void ListenAccepted() => Interlocked.Increment(ref _accepted);
    public void ListenDropped() => Interlocked.Increment(ref _dropped);
    public void ListenFailed() => Interlocked.Increment(ref _acceptFailed);
    public void SetListenInstances(int count) => Volatile.Write(ref _listenInstances, count);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _aliveConnections);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _aliveConnections);

    public void TaskStarted()
    {
        Interlocked.Increment(ref _tasks);
        Interlocked.Increment(ref _aliveTasks);
    }

    public void TaskFinished() => Interlocked.Decrement(ref _aliveTasks);

    /// <summary>A task began: counted, and its bytes followed while it runs (see <see cref="LiveTraffic"/>).</summary>
    public void TaskStarted(TaskNotes notes)
    {
        TaskStarted();
        _live.Started(notes);
    }

    /// <summary>
    /// A task ended: the client-side bytes not yet added go to the server's traffic and the
    /// remote-side ones to the escaper that carried it.
    /// </summary>
    public void TaskFinished(TaskNotes notes)
    {
        TaskFinished();
        _live.Finished(notes, this);
    }

    /// <summary>Adds the running tasks' bytes so far (the stats actor calls this before each emit).</summary>
    public void SampleTraffic() => _live.Sample(this);

    public void AddTraffic(long inBytes, long outBytes)
    {
        if (inBytes != 0) Interlocked.Add(ref _inBytes, inBytes);
        if (outBytes != 0) Interlocked.Add(ref _outBytes, outBytes);
    }

    public void MarkOffline() => Volatile.Write(ref _offline, 1);
}
