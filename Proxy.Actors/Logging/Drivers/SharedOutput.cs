namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// The process's stdout as the stdout sinks share it: the task, escape and resolve loggers each
/// export on their own pipeline, and a StreamWriter takes one async write at a time (a second
/// one throws), so each batch is written and flushed under one gate.
/// </summary>
internal sealed class SharedOutput(TextWriter writer)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WriteLinesAsync(IReadOnlyList<string> lines, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var line in lines) await writer.WriteLineAsync(line).ConfigureAwait(false);
            await writer.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
