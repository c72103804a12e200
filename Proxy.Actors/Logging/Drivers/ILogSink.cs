namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// Where one logger's records go (a g3 log driver). Called by one export pipeline at a time,
/// with the records batched while the previous write ran. A sink counts what it delivers and
/// what it loses (<see cref="Stats.LoggerStats"/>); it never throws for an unreachable peer.
/// </summary>
internal interface ILogSink : IAsyncDisposable
{
    Task WriteAsync(IReadOnlyList<LogRecord> batch, CancellationToken ct);
}
