using System.Threading.Channels;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Logging;

/// <summary>
/// Where finished tasks go. Connection tasks only enqueue; one background writer drains a
/// bounded queue to stdout in batches, so a slow terminal never stalls the data plane
/// (overflow is dropped and counted, as g3 counts logger.message.drop).
/// </summary>
public sealed class TaskLogger : IAsyncDisposable
{
    private readonly Channel<string>? _queue;
    private readonly Task _writer = Task.CompletedTask;
    private readonly TextWriter? _out;
    private long _dropped;
    private readonly string _daemonName;

    /// <param name="driver">Where task logs go.</param>
    /// <param name="escapeDriver">Where escape logs (why an upstream could not be had) go.</param>
    public TaskLogger(LogDriver driver, TextWriter? output = null, string daemonName = "g3actors", int capacity = 4096,
        LogDriver escapeDriver = LogDriver.Discard)
    {
        _daemonName = daemonName;
        Enabled = driver != LogDriver.Discard;
        EscapeEnabled = escapeDriver != LogDriver.Discard;
        if (!Enabled && !EscapeEnabled) return;
        // A buffered writer of our own: Console.Out flushes every line, one syscall per task.
        _out = output ?? new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        _writer = Task.Run(DrainAsync);
    }

    public static TaskLogger Discard { get; } = new(LogDriver.Discard);

    public bool Enabled { get; }
    public bool EscapeEnabled { get; }
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Log(TaskNotes notes, TimeSpan total)
    {
        if (Enabled) Enqueue(TaskLogFormatter.Format(notes, total, _daemonName));
    }

    /// <summary>g3's Escape log: one line per failed attempt to reach the next hop, with the reason.</summary>
    public void LogEscape(string escaperType, string escaperName, string escapeType, TaskNotes notes, string reason)
    {
        if (EscapeEnabled) Enqueue(TaskLogFormatter.FormatEscape(escaperType, escaperName, escapeType, notes, reason, _daemonName));
    }

    private void Enqueue(string line)
    {
        if (!_queue!.Writer.TryWrite(line)) Interlocked.Increment(ref _dropped);
    }

    private async Task DrainAsync()
    {
        var reader = _queue!.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line)) await _out!.WriteLineAsync(line).ConfigureAwait(false);
            await _out!.FlushAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue?.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
