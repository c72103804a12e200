using System.Threading.Channels;
using Akka.Streams;
using Akka.Streams.Dsl;
using Proxy.Actors.Logging.Drivers;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Logging;

/// <summary>
/// One logger's export pipeline. Callers only <see cref="TryWrite"/> into a bounded channel
/// (never wait: a full channel drops the record, counted as g3's ChannelOverflow). On an
/// ActorSystem the channel feeds an Akka.Streams graph — channel source, batch while the sink
/// is busy, one sink write at a time — so a slow sink back-pressures into the channel, never
/// into a connection. Without a materializer (unit tests) a plain loop drains it the same way.
/// </summary>
internal sealed class LogExporter : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly Channel<LogRecord> _queue;
    private readonly ILogSink _sink;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _completion;

    public LogExporter(ILogSink sink, LoggerStats stats, int capacity, IMaterializer? materializer)
    {
        _sink = sink;
        Stats = stats;
        _queue = Channel.CreateBounded<LogRecord>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            SingleReader = true,
            // Wait, not DropWrite: in the drop modes TryWrite reports success for a dropped item,
            // and the drop could not be counted. TryWrite itself never waits in any mode.
            FullMode = BoundedChannelFullMode.Wait,
        });
        _completion = materializer is null ? Task.Run(DrainAsync) : RunGraph(materializer);
    }

    public LoggerStats Stats { get; }

    public void TryWrite(LogRecord record)
    {
        Stats.Offered();
        if (!_queue.Writer.TryWrite(record))
            Stats.Drop(_queue.Reader.Completion.IsCompleted ? LogDropType.ChannelClosed : LogDropType.ChannelOverflow);
    }

    /// <remarks>
    /// Stage input buffers of one element: with the default (16) each buffered element is a whole
    /// batch, and the graph would hold thousands of records past the channel's bound.
    /// </remarks>
    private Task RunGraph(IMaterializer materializer) =>
        ChannelSource.FromReader(_queue.Reader)
            .Batch(MaxBatch, r => new List<LogRecord>(16) { r }, (batch, r) => { batch.Add(r); return batch; })
            .SelectAsync(1, async batch => { await WriteAsync(batch).ConfigureAwait(false); return batch.Count; })
            .ToMaterialized(Sink.Ignore<int>(), Keep.Right)
            .WithAttributes(Attributes.CreateInputBuffer(1, 1))
            .Run(materializer);

    private async Task DrainAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<LogRecord>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var r)) batch.Add(r);
            await WriteAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    /// <summary>
    /// A sink that breaks loses its batch (counted), not the pipeline: an exception out of here would
    /// stop the graph, and every later record of this logger would be lost without a count.
    /// </summary>
    private async Task WriteAsync(List<LogRecord> batch)
    {
        try
        {
            await _sink.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Stats.Drop(LogDropType.PeerUnreachable, batch.Count);
        }
    }

    /// <summary>Stops taking records, lets the pipeline write what is queued (bounded by a few seconds), then closes the sink.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _completion.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The ActorSystem went first (the graph was aborted): what was queued is lost with it,
            // counted below. Shutdown goes on whatever the pipeline's end was.
        }
        var left = _queue.Reader.Count;
        if (left > 0) Stats.Drop(LogDropType.ChannelClosed, left);
        await _sink.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
