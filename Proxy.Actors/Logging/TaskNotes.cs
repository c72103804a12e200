using System.Net;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Logging;

/// <summary>
/// What one task records for its task log, with g3's field names (reference section 9).
/// Filled by the handler as the task moves through its stages; read once at the end.
/// </summary>
public sealed class TaskNotes
{
    public required string ServerType { get; init; }
    public required string ServerName { get; init; }
    public string TaskType { get; set; } = "TcpConnect";
    private string? _taskId;
    /// <summary>g3's task id (a UUID, simple form); made on first use, so unlogged tasks skip it.</summary>
    public string TaskId => _taskId ??= Guid.NewGuid().ToString("N");
    private string _stage = "Created";
    public string Stage
    {
        get => _stage;
        set
        {
            if (ReferenceEquals(_stage, value)) return;
            _stage = value;
            LogFlush?.OnStage(value);
        }
    }

    /// <summary>The server's extra task records (flush_task_log_*, task_log_flush_interval); null when it sets none.</summary>
    internal TaskLogFlush? LogFlush { get; set; }

    /// <summary>The task's stream is under protocol inspection (its intercept records replace periodic ones).</summary>
    internal bool Intercepted { get; set; }
    public required DateTimeOffset StartAt { get; init; }
    public long CreatedTimestamp { get; init; }
    public TimeSpan WaitTime { get; init; }
    public TimeSpan? ReadyTime { get; set; }
    public string? User { get; set; }
    public string? Escaper { get; set; }
    /// <summary>The auditor a comply_audit escaper named for this task, in place of the server's (null: the server's).</summary>
    public string? Auditor { get; set; }
    public string? Reason { get; set; }
    /// <summary>Detail behind an internal failure (the exception), logged as <c>error</c>.</summary>
    public string? Error { get; set; }
    public IPEndPoint? ServerAddr { get; init; }
    public IPEndPoint? ClientAddr { get; init; }
    public string? Upstream { get; set; }
    public IPAddress? NextBindIp { get; set; }
    public IPEndPoint? NextBoundAddr { get; set; }
    public IPEndPoint? NextPeerAddr { get; set; }
    public int TcpConnectTries { get; set; }
    public TimeSpan? TcpConnectSpend { get; set; }
    public TaskBytes Bytes { get; } = new();
    /// <summary>What the server or user chose for named escapers (username_params, egress_path_selection_header); null when nothing.</summary>
    public Escapers.EgressPathSelection? EgressPath { get; set; }
    /// <summary>The task's user's egress_path_id_map / egress_path_value_map; read before <see cref="EgressPath"/> (g3's order).</summary>
    public Escapers.EgressPathSelection? UserEgressPath { get; set; }

    /// <summary>What the escaper reported about its connect attempt (next_* fields, tries, spend).</summary>
    public void RecordEscape(Escapers.EscapeResult result)
    {
        TcpConnectTries = result.Tries;
        TcpConnectSpend = result.Spend;
        NextPeerAddr = result.PeerAddr;
        NextBoundAddr = result.BoundAddr;
        NextBindIp = result.BindIp;
        EscaperStats = result.Stats;
    }

    /// <summary>The counters of the escaper that carried this task (its upstream bytes go there at the end).</summary>
    public Stats.EscaperStats? EscaperStats { get; set; }

    /// <summary>The user (and user-site) counters this task counts into; set once it passed the user's rules.</summary>
    public Stats.UserTaskCounts? UserCounts { get; set; }

    /// <summary>The explicit site of the task's user its target is in (settings over the user's); null when none.</summary>
    internal Users.Sites.UserSite? UserSite { get; set; }

    /// <summary>What the task's user (or site) changes in a direct escaper's resolution; null when nothing.</summary>
    internal Escapers.UserEscape? UserEscape { get; set; }

    /// <summary>Datagram counts of a UDP task (set before its relay starts); null for stream tasks.</summary>
    public Stats.TaskPackets? Packets { get; set; }

    /// <summary>How many of this task's bytes the server and escaper traffic counters already hold.</summary>
    internal PublishedBytes Published { get; } = new();

    internal sealed class PublishedBytes
    {
        public long ClientRead, ClientWritten, RemoteRead, RemoteWritten;
    }

    // HttpForward only.
    public string? Method { get; set; }
    public string? Uri { get; set; }
    public string? UserAgent { get; set; }
    public int? RspStatus { get; set; }
    public int? OriginStatus { get; set; }
    public bool? ReuseConnection { get; set; }
    public TimeSpan? PipelineWait { get; set; }
    public TimeSpan? DurRspRecvHdr { get; set; }
}
