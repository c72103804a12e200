using Proxy.Actors.Logging;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// One client connection as the server running it sees it: its lifetime (cancel switch and
/// activity, owned by the connection's actor), the server it is in, and its tasks' notes and log
/// lines. A connection handed from a port server to the next server gets a scope of that server
/// over the same lifetime and close state.
/// </summary>
public sealed class ConnectionScope
{
    /// <summary>Shared by a connection's scopes across hand-offs: how it must be closed.</summary>
    private sealed class CloseState
    {
        public bool AfterError;
    }

    private readonly CloseState _close;

    public ConnectionScope(ServerContext server, ActivityTracker lifetime, long acceptedAt)
        : this(server, lifetime, acceptedAt, new CloseState())
    {
    }

    private ConnectionScope(ServerContext server, ActivityTracker lifetime, long acceptedAt, CloseState close)
    {
        Server = server;
        Lifetime = lifetime;
        AcceptedAt = acceptedAt;
        _close = close;
    }

    public ServerContext Server { get; }
    public ActivityTracker Lifetime { get; }
    /// <summary>Cancelled when the connection is torn down (idle, force-quit, node stop).</summary>
    public CancellationToken Token => Lifetime.Token;
    public long AcceptedAt { get; }
    public TimeProvider Time => Server.Time;

    /// <summary>
    /// The server answered an error and is closing while the client may still be sending (a body,
    /// the rest of an oversized head): the close drains first (RFC 9112 9.6).
    /// </summary>
    public bool ClosingAfterError => _close.AfterError;
    public void CloseAfterError() => _close.AfterError = true;

    /// <summary>The same connection, now served by <paramref name="next"/>.</summary>
    public ConnectionScope HandOff(ServerContext next) => new(next, Lifetime, AcceptedAt, _close);

    /// <summary>A task's notes with what the server and connection already know.</summary>
    public TaskNotes NewTask(ConnectionFacts facts, string taskType, long startedAt)
    {
        var notes = new TaskNotes
        {
            ServerType = Server.Config.TypeName,
            ServerName = Server.Config.Name,
            TaskType = taskType,
            ServerAddr = facts.ServerAddr,
            ClientAddr = facts.ClientAddr,
            StartAt = Time.GetUtcNow(),
            CreatedTimestamp = Time.GetTimestamp(),
            WaitTime = Time.GetElapsedTime(startedAt),
        };
        var c = Server.Config;
        if ((c.FlushTaskLogOnCreated || c.FlushTaskLogOnConnected || c.TaskLogFlushInterval is not null) && Server.Logger.Enabled)
            notes.LogFlush = new TaskLogFlush(notes, Server.Logger, Time, c.FlushTaskLogOnCreated, c.FlushTaskLogOnConnected,
                c.TaskLogFlushInterval, Token);
        return notes;
    }

    /// <summary>The task's log line (g3 writes one per task, whatever its end), unless its user's log_rate_limit is spent.</summary>
    public void FinishTask(TaskNotes notes)
    {
        notes.Reason ??= "Finished";
        notes.LogFlush?.Finish();
        if (!Server.Logger.Enabled || notes.UserCounts?.SkipLog() == true) return;
        Server.Logger.Log(notes, Time.GetElapsedTime(notes.CreatedTimestamp));
    }
}
