using System.Globalization;
using System.Text;

namespace Proxy.Actors.Logging;

/// <summary>
/// Builds g3's Task and Escape records from a task's notes (field names and order from
/// sphinx/g3proxy/log/) and renders a record as one line of <c>key=value</c> pairs (stdout).
/// </summary>
public static class TaskLogFormatter
{
    public static string Format(TaskNotes n, TimeSpan totalTime, string daemonName) =>
        ToLine(Task(n, totalTime, daemonName, DateTimeOffset.UtcNow));

    /// <param name="taskEvent">g3's task_event: Finished for the record at the end; Created, Connected, Periodic for earlier ones.</param>
    /// <param name="stage">The stage to show in place of the notes' own (an earlier record's).</param>
    public static LogRecord Task(TaskNotes n, TimeSpan totalTime, string daemonName, DateTimeOffset now, string taskEvent = "Finished",
        string? stage = null)
    {
        var final = taskEvent == "Finished";
        // g3's Created and Connected records stop before the times and counts that are still running
        var running = taskEvent is "Created" or "Connected";
        var r = new LogRecord("Task", now) { Message = final ? n.Reason ?? "" : "" };
        Shared(r, daemonName, "Task");
        r.Add("server_type", n.ServerType);
        r.Add("server_name", n.ServerName);
        r.Add("task_type", n.TaskType);
        r.Add("task_id", n.TaskId);
        r.Add("task_event", taskEvent);
        r.Add("stage", stage ?? n.Stage);
        r.Add("start_at", n.StartAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture));
        r.Add("user", n.User);
        r.Add("escaper", n.Escaper);
        r.Add("egress_path", n.EgressPath?.ToString());
        if (final)
        {
            r.Add("reason", n.Reason);
            r.Add("error", n.Error);
        }
        r.Add("server_addr", n.ServerAddr?.ToString());
        r.Add("client_addr", n.ClientAddr?.ToString());
        NextHop(r, n);
        r.Add("wait_time", Duration(n.WaitTime));
        if (n.ReadyTime is { } ready) r.Add("ready_time", Duration(ready));
        if (running) return r;
        r.Add("total_time", Duration(totalTime));
        if (n.PipelineWait is { } pw) r.Add("pipeline_wait", Duration(pw));
        if (n.ReuseConnection is { } reuse) r.Add("reuse_connection", reuse ? "true" : "false");
        r.Add("method", n.Method);
        r.Add("uri", n.Uri);
        r.Add("user_agent", n.UserAgent);
        if (n.RspStatus is { } rs) r.Add("rsp_status", rs);
        if (n.OriginStatus is { } os) r.Add("origin_status", os);
        if (n.DurRspRecvHdr is { } d) r.Add("dur_rsp_recv_hdr", Duration(d));
        r.Add("c_rd_bytes", n.Bytes.ClientRead);
        r.Add("c_wr_bytes", n.Bytes.ClientWritten);
        r.Add("r_rd_bytes", n.Bytes.RemoteRead);
        r.Add("r_wr_bytes", n.Bytes.RemoteWritten);
        return r;
    }

    /// <summary>An Escape log line (reference section 9): which escaper failed to reach what, and why.</summary>
    public static string FormatEscape(string escaperType, string escaperName, string escapeType, TaskNotes n, string reason, string daemonName) =>
        ToLine(Escape(escaperType, escaperName, escapeType, n, reason, daemonName, DateTimeOffset.UtcNow));

    public static LogRecord Escape(string escaperType, string escaperName, string escapeType, TaskNotes n, string reason,
        string daemonName, DateTimeOffset now)
    {
        var r = new LogRecord("Escape", now) { Message = reason };
        Shared(r, daemonName, "Escape");
        r.Add("escaper_type", escaperType);
        r.Add("escaper_name", escaperName);
        r.Add("escape_type", escapeType);
        r.Add("task_id", n.TaskId);
        NextHop(r, n);
        r.Add("reason", reason);
        return r;
    }

    /// <summary>The upstream and what the escaper reported about reaching it (task and escape logs alike).</summary>
    private static void NextHop(LogRecord r, TaskNotes n)
    {
        r.Add("upstream", n.Upstream);
        r.Add("next_bind_ip", n.NextBindIp?.ToString());
        r.Add("next_bound_addr", n.NextBoundAddr?.ToString());
        r.Add("next_peer_addr", n.NextPeerAddr?.ToString());
        if (n.TcpConnectTries > 0) r.Add("tcp_connect_tries", n.TcpConnectTries);
        if (n.TcpConnectSpend is { } spend) r.Add("tcp_connect_spend", Duration(spend));
    }

    /// <summary>g3's shared keys: daemon_name, log_type, pid.</summary>
    private static void Shared(LogRecord r, string daemonName, string logType)
    {
        r.Add("daemon_name", daemonName);
        r.Add("log_type", logType);
        r.Add("pid", Environment.ProcessId);
    }

    /// <summary>g3 prints durations humanized: 111µs, 16.918ms, 2.5s.</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.FromMilliseconds(1))
            return ((long)(t.Ticks / 10)).ToString(CultureInfo.InvariantCulture) + "µs";
        if (t < TimeSpan.FromSeconds(1))
            return t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        return t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }

    /// <summary>The stdout form: <c>key=value</c> pairs, values with spaces or quotes quoted.</summary>
    public static string ToLine(LogRecord record)
    {
        var sb = new StringBuilder(512);
        foreach (var f in record.Fields)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(f.Key).Append('=');
            if (f.IsNumber) { sb.Append(f.Number); continue; }
            var value = f.Text!;
            if (value.Length == 0 || value.AsSpan().IndexOfAny(" \"=\t\r\n") >= 0)
            {
                sb.Append('"');
                foreach (var c in value)
                {
                    if (c is '"' or '\\') sb.Append('\\');
                    if (c is '\r' or '\n') { sb.Append(' '); continue; }
                    sb.Append(c);
                }
                sb.Append('"');
            }
            else
            {
                sb.Append(value);
            }
        }
        return sb.ToString();
    }
}
