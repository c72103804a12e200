using System.Globalization;
using System.Text;

namespace Proxy.Actors.Logging;

/// <summary>Renders a finished task as one line of g3-named <c>key=value</c> pairs.</summary>
public static class TaskLogFormatter
{
    public static string Format(TaskNotes n, TimeSpan totalTime, string daemonName)
    {
        var sb = new StringBuilder(512);
        Add(sb, "daemon_name", daemonName);
        Add(sb, "log_type", "Task");
        Add(sb, "server_type", n.ServerType);
        Add(sb, "server_name", n.ServerName);
        Add(sb, "task_type", n.TaskType);
        Add(sb, "task_id", n.TaskId);
        Add(sb, "stage", n.Stage);
        Add(sb, "start_at", n.StartAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture));
        Add(sb, "user", n.User);
        Add(sb, "escaper", n.Escaper);
        Add(sb, "reason", n.Reason);
        Add(sb, "error", n.Error);
        Add(sb, "server_addr", n.ServerAddr?.ToString());
        Add(sb, "client_addr", n.ClientAddr?.ToString());
        Add(sb, "upstream", n.Upstream);
        Add(sb, "next_bind_ip", n.NextBindIp?.ToString());
        Add(sb, "next_bound_addr", n.NextBoundAddr?.ToString());
        Add(sb, "next_peer_addr", n.NextPeerAddr?.ToString());
        if (n.TcpConnectTries > 0) Add(sb, "tcp_connect_tries", n.TcpConnectTries.ToString(CultureInfo.InvariantCulture));
        if (n.TcpConnectSpend is { } spend) Add(sb, "tcp_connect_spend", Duration(spend));
        Add(sb, "wait_time", Duration(n.WaitTime));
        if (n.ReadyTime is { } ready) Add(sb, "ready_time", Duration(ready));
        Add(sb, "total_time", Duration(totalTime));
        if (n.PipelineWait is { } pw) Add(sb, "pipeline_wait", Duration(pw));
        if (n.ReuseConnection is { } reuse) Add(sb, "reuse_connection", reuse ? "true" : "false");
        Add(sb, "method", n.Method);
        Add(sb, "uri", n.Uri);
        Add(sb, "user_agent", n.UserAgent);
        if (n.RspStatus is { } rs) Add(sb, "rsp_status", rs.ToString(CultureInfo.InvariantCulture));
        if (n.OriginStatus is { } os) Add(sb, "origin_status", os.ToString(CultureInfo.InvariantCulture));
        if (n.DurRspRecvHdr is { } d) Add(sb, "dur_rsp_recv_hdr", Duration(d));
        Add(sb, "c_rd_bytes", n.Bytes.ClientRead.ToString(CultureInfo.InvariantCulture));
        Add(sb, "c_wr_bytes", n.Bytes.ClientWritten.ToString(CultureInfo.InvariantCulture));
        Add(sb, "r_rd_bytes", n.Bytes.RemoteRead.ToString(CultureInfo.InvariantCulture));
        Add(sb, "r_wr_bytes", n.Bytes.RemoteWritten.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>An Escape log line (reference section 9): which escaper failed to reach what, and why.</summary>
    public static string FormatEscape(string escaperType, string escaperName, string escapeType, TaskNotes n, string reason, string daemonName)
    {
        var sb = new StringBuilder(256);
        Add(sb, "daemon_name", daemonName);
        Add(sb, "log_type", "Escape");
        Add(sb, "escaper_type", escaperType);
        Add(sb, "escaper_name", escaperName);
        Add(sb, "escape_type", escapeType);
        Add(sb, "task_id", n.TaskId);
        Add(sb, "upstream", n.Upstream);
        Add(sb, "next_bind_ip", n.NextBindIp?.ToString());
        Add(sb, "next_bound_addr", n.NextBoundAddr?.ToString());
        Add(sb, "next_peer_addr", n.NextPeerAddr?.ToString());
        if (n.TcpConnectTries > 0) Add(sb, "tcp_connect_tries", n.TcpConnectTries.ToString(CultureInfo.InvariantCulture));
        if (n.TcpConnectSpend is { } spend) Add(sb, "tcp_connect_spend", Duration(spend));
        Add(sb, "reason", reason);
        return sb.ToString();
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

    private static void Add(StringBuilder sb, string key, string? value)
    {
        if (value is null) return;
        if (sb.Length > 0) sb.Append(' ');
        sb.Append(key).Append('=');
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
}
