using System.Globalization;

namespace Proxy.Actors.Logging;

/// <summary>One field of a log record: text, or an integer that drivers keep as a number (fluentd, syslog).</summary>
public readonly record struct LogField(string Key, string? Text, long Number)
{
    public bool IsNumber => Text is null;
    public string Value => Text ?? Number.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A task, escape or resolve log as g3 writes it: a message (g3's slog message: the reason a task
/// ended) and g3-named fields in g3's order. Built once by the caller; every driver renders it.
/// </summary>
public sealed class LogRecord(string logType, DateTimeOffset time)
{
    private readonly List<LogField> _fields = new(40);

    /// <summary>g3's log_type: Task, Escape, Resolve.</summary>
    public string LogType { get; } = logType;
    public DateTimeOffset Time { get; } = time;
    public string Message { get; set; } = "";
    public IReadOnlyList<LogField> Fields => _fields;

    /// <summary>Adds a text field; null is left out, as g3 leaves out an absent value.</summary>
    public LogRecord Add(string key, string? value)
    {
        if (value is not null) _fields.Add(new LogField(key, value, 0));
        return this;
    }

    public LogRecord Add(string key, long value)
    {
        _fields.Add(new LogField(key, null, value));
        return this;
    }

    public string? Get(string key)
    {
        foreach (var f in _fields)
            if (f.Key == key) return f.Value;
        return null;
    }
}
