using System.Net;
using System.Net.Sockets;
using Akka.Streams;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging.Drivers;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Logging;

/// <summary>
/// Where finished tasks, failed escapes and resolver errors go, each log type to the driver
/// <c>log:</c> gives it. Connection tasks only build a record and enqueue it; each logger's
/// export pipeline (<see cref="LogExporter"/>) drains a bounded queue to its driver, so a slow
/// or dead sink never stalls the data plane (overflow is dropped and counted as g3's
/// logger.message.drop).
/// </summary>
public sealed class TaskLogger : IAsyncDisposable
{
    /// <summary>
    /// The syslog ident, journal SYSLOG_IDENTIFIER and fluentd tag prefix. g3proxy's own, so
    /// rsyslog rules and fluentd matches written for g3proxy (<c>g3proxy.Task</c>) keep working.
    /// </summary>
    public const string Ident = "g3proxy";

    /// <summary>journald's native socket; the journal driver only works where it exists.</summary>
    public const string JournalSocket = "/run/systemd/journal/socket";

    private readonly LogExporter? _task;
    private readonly LogExporter? _escape;
    private readonly LogExporter? _resolve;
    private readonly TimeProvider _time;

    /// <summary>Stdout or discard for task and escape logs, drained by a plain loop (tests, tools).</summary>
    public TaskLogger(LogDriver driver, TextWriter? output = null, string daemonName = "g3actors", int capacity = 4096,
        LogDriver escapeDriver = LogDriver.Discard)
        : this(new LogConfig
        {
            Task = new LoggerConfig { Driver = driver, ChannelSize = capacity },
            Escape = new LoggerConfig { Driver = escapeDriver, ChannelSize = capacity },
        }, materializer: null, output, daemonName)
    {
    }

    /// <param name="materializer">Runs the export pipelines on Akka.Streams; null drains them with a plain loop.</param>
    /// <param name="warn">Told about a driver that cannot work here (journal without journald).</param>
    public TaskLogger(LogConfig config, IMaterializer? materializer, TextWriter? output = null, string daemonName = "g3actors",
        TimeProvider? time = null, Action<string>? warn = null)
    {
        DaemonName = daemonName;
        _time = time ?? TimeProvider.System;
        // A buffered writer of our own: Console.Out flushes every line, one syscall per task.
        var stdout = new Lazy<SharedOutput>(() => new SharedOutput(output ?? new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false }));
        _task = Build("task", "Task", config.Task, materializer, stdout, warn);
        _escape = Build("escape", "Escape", config.Escape, materializer, stdout, warn);
        _resolve = Build("resolve", "Resolve", config.Resolve, materializer, stdout, warn);
    }

    public static TaskLogger Discard { get; } = new(LogDriver.Discard);

    /// <summary>g3's daemon_name field (and the statsd daemon_group tag).</summary>
    public string DaemonName { get; }
    public bool Enabled => _task is not null;
    public bool EscapeEnabled => _escape is not null;
    public bool ResolveEnabled => _resolve is not null;

    /// <summary>Task records dropped for any reason.</summary>
    public long Dropped => _task?.Stats.DroppedTotal ?? 0;

    /// <summary>The counters of each logger that is not discard (g3's logger.* metrics).</summary>
    public IEnumerable<LoggerStats> LoggerStats =>
        new[] { _task, _escape, _resolve }.Where(e => e is not null).Select(e => e!.Stats);

    public void Log(TaskNotes notes, TimeSpan total) =>
        _task?.TryWrite(TaskLogFormatter.Task(notes, total, DaemonName, _time.GetUtcNow()));

    /// <summary>A record of a task still running (task_event Created, Connected or Periodic), at <paramref name="stage"/>.</summary>
    internal void LogEvent(TaskNotes notes, string taskEvent, string stage, TimeSpan total) =>
        _task?.TryWrite(TaskLogFormatter.Task(notes, total, DaemonName, _time.GetUtcNow(), taskEvent, stage));

    /// <summary>
    /// g3's Intercept log (an auditor's record per intercepted exchange), written where the task log
    /// goes: G3Actors has no separate <c>log.audit</c> destination yet.
    /// </summary>
    public void LogIntercept(LogRecord record) => _task?.TryWrite(record);

    /// <summary>g3's Escape log: one record per failed attempt to reach the next hop, with the reason.</summary>
    public void LogEscape(string escaperType, string escaperName, string escapeType, TaskNotes notes, string reason) =>
        _escape?.TryWrite(TaskLogFormatter.Escape(escaperType, escaperName, escapeType, notes, reason, DaemonName, _time.GetUtcNow()));

    /// <summary>g3's Resolve log: one record per failed query (resolve/index.rst fields, then the resolver type's own).</summary>
    public void LogResolve(string resolverType, string resolverName, string domain, AddressFamily family, TimeSpan duration,
        bool fromCache, Resolvers.ResolveErrorKind error, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        if (_resolve is null) return;
        var (errorType, errorSubtype) = ResolveErrorNames(error);
        var r = new LogRecord("Resolve", _time.GetUtcNow()) { Message = errorSubtype.Length == 0 ? errorType : $"{errorType}: {errorSubtype}" };
        r.Add("daemon_name", DaemonName).Add("log_type", "Resolve").Add("pid", Environment.ProcessId)
            .Add("resolver_type", resolverType).Add("resolver_name", resolverName)
            .Add("query_type", family == AddressFamily.InterNetworkV6 ? "AAAA" : "A")
            .Add("duration", TaskLogFormatter.Duration(duration))
            .Add("rr_source", fromCache ? "cache" : "query")
            .Add("error_type", errorType).Add("error_subtype", errorSubtype)
            .Add("domain", domain);
        if (extra is not null)
            foreach (var (k, v) in extra) r.Add(k, v);
        _resolve.TryWrite(r);
    }

    /// <summary>g3's ResolveError get_type()/get_subtype() (lib/g3-resolver/src/error.rs) for our error kinds.</summary>
    internal static (string Type, string Subtype) ResolveErrorNames(Resolvers.ResolveErrorKind error) => error switch
    {
        Resolvers.ResolveErrorKind.NotFound => ("ServerError", "NOTFOUND"),
        Resolvers.ResolveErrorKind.ServerFailure => ("ServerError", "SERVFAIL"),
        Resolvers.ResolveErrorKind.Refused => ("ServerError", "REFUSED"),
        Resolvers.ResolveErrorKind.Malformed => ("ServerError", "FORMERR"),
        Resolvers.ResolveErrorKind.Timeout => ("DriverError", "Timeout"),
        Resolvers.ResolveErrorKind.Denied => ("LocalError", "NoResolverSet"),
        _ => ("UnexpectedError", ""),
    };

    private LogExporter? Build(string name, string logType, LoggerConfig config, IMaterializer? materializer, Lazy<SharedOutput> stdout,
        Action<string>? warn)
    {
        var stats = new LoggerStats(name);
        ILogSink? sink = config.Driver switch
        {
            LogDriver.Stdout => new StdoutLogSink(stdout.Value, stats),
            LogDriver.Syslog => Syslog(config.Syslog ?? new SyslogConfig(), stats),
            LogDriver.Journal => Journal(stats, name, warn),
            LogDriver.Fluentd => new FluentdLogSink(config.Fluentd ?? new FluentdConfig(), Ident + "." + logType, stats, _time),
            _ => null,
        };
        return sink is null ? null : new LogExporter(sink, stats, config.ChannelSize, materializer);
    }

    private DatagramLogSink Syslog(SyslogConfig config, LoggerStats stats)
    {
        var formatter = new SyslogFormatter(config, Ident, config.EmitHostname ? Dns.GetHostName() : null, Environment.ProcessId);
        EndPoint target = config.TargetUdp is { } udp ? udp : new UnixDomainSocketEndPoint(config.TargetUnix ?? "/dev/log");
        return new DatagramLogSink(target, config.TargetUdp is null ? null : config.TargetUdpBindIp, formatter.Format, stats, _time);
    }

    private DatagramLogSink Journal(LoggerStats stats, string name, Action<string>? warn)
    {
        if (!File.Exists(JournalSocket))
            warn?.Invoke($"log driver 'journal' for {name} logs: {JournalSocket} does not exist here; records will be counted as dropped (PeerUnreachable)");
        return new DatagramLogSink(new UnixDomainSocketEndPoint(JournalSocket), null, r => JournalFormatter.Format(r, Ident), stats, _time);
    }

    /// <summary>Drains every logger at once, so shutdown waits for the slowest sink, not their sum.</summary>
    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(new[] { _task, _escape, _resolve }.Where(e => e is not null).Select(e => e!.DisposeAsync().AsTask()))
            .ConfigureAwait(false);
}
