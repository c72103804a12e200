using Proxy.Actors.Stats;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>g3's <c>stdout</c> driver: one <c>key=value</c> line per record, flushed once per batch.</summary>
internal sealed class StdoutLogSink(TextWriter output, LoggerStats stats) : ILogSink
{
    public async Task WriteAsync(IReadOnlyList<LogRecord> batch, CancellationToken ct)
    {
        foreach (var record in batch)
        {
            var line = TaskLogFormatter.ToLine(record);
            await output.WriteLineAsync(line).ConfigureAwait(false);
            stats.Pass(line.Length + 1);
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
