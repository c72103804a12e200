using Proxy.Actors.Logging;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>g3's Intercept log records (g3proxy/src/log/intercept): the shared keys, the auditor, the task and the depth.</summary>
internal static class InterceptLog
{
    public static LogRecord Start(TunnelAudit audit, string interceptType, int depth, string message = "")
    {
        var r = new LogRecord("Intercept", audit.Time.GetUtcNow()) { Message = message };
        r.Add("daemon_name", audit.Logger.DaemonName).Add("log_type", "Intercept").Add("pid", Environment.ProcessId)
            .Add("auditor_name", audit.Auditor.Config.Name)
            .Add("intercept_type", interceptType)
            .Add("task_id", audit.Notes.TaskId)
            .Add("depth", depth);
        return r;
    }

    /// <summary>How much of a request URI the intercept records keep: the task's user's log_uri_max_chars, else the auditor's (g3).</summary>
    public static int UriMaxChars(TunnelAudit audit) => audit.User?.Config.LogUriMaxChars ?? audit.Auditor.Config.LogUriMaxChars;
}
