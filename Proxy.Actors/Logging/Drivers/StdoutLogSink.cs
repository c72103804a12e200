using Proxy.Actors.Stats;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>g3's <c>stdout</c> driver: one <c>key=value</c> line per record, flushed once per batch.</summary>
internal sealed class StdoutLogSink(SharedOutput output, LoggerStats stats) : ILogSink
{
    public async Task WriteAsync(IReadOnlyList<LogRecord> batch, CancellationToken ct)
    {
        var lines = new string[batch.Count];
        for (var i = 0; i < lines.Length; i++) lines[i] = TaskLogFormatter.ToLine(batch[i]);
        await output.WriteLinesAsync(lines, ct).ConfigureAwait(false);
        foreach (var line in lines) stats.Pass(line.Length + 1);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
