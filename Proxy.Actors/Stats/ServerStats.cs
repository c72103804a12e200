namespace Proxy.Actors.Stats;

/// <summary>
/// A server's counters (g3's server.connection.total, server.task.total, server.task.alive...).
/// Plain Interlocked fields on the hot path; the stats actor and `server status` sample them.
/// </summary>
public sealed class ServerStats
{
    private long _connections;
    private long _tasks;
    private long _aliveTasks;
    private long _aliveConnections;

    public long ConnectionTotal => Interlocked.Read(ref _connections);
    public long TaskTotal => Interlocked.Read(ref _tasks);
    public long AliveTasks => Interlocked.Read(ref _aliveTasks);
    public long AliveConnections => Interlocked.Read(ref _aliveConnections);

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
}
