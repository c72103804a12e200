using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Streams;
using Proxy.Actors.Logging;
using Proxy.Actors.Logging.Drivers;
using Proxy.Actors.Stats;

namespace Proxy.Tests.Logging;

public sealed class LogExporterSpec : Akka.TestKit.Xunit2.TestKit
{
    private sealed class SlowSink(TimeSpan perBatch) : ILogSink
    {
        public ConcurrentQueue<int> Batches { get; } = new();
        public int Records => Batches.Sum();

        public async Task WriteAsync(IReadOnlyList<LogRecord> batch, CancellationToken ct)
        {
            await Task.Delay(perBatch, ct);
            Batches.Enqueue(batch.Count);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static LogRecord Record() => new("Task", DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task OnAkkaStreams_BatchesWhileSinkIsBusy_AndDrainsOnDispose()
    {
        var sink = new SlowSink(TimeSpan.FromMilliseconds(50));
        var stats = new LoggerStats("task");
        var exporter = new LogExporter(sink, stats, 1000, Sys.Materializer());
        for (var i = 0; i < 200; i++) exporter.TryWrite(Record());

        var watch = Stopwatch.StartNew();
        await exporter.DisposeAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"dispose took {watch.Elapsed}");
        Assert.Equal(200, sink.Records);
        Assert.True(sink.Batches.Count < 200, "records written one by one: no batching");
        Assert.Equal(200, stats.Total);
        Assert.Equal(0, stats.DroppedTotal);
    }

    [Fact]
    public async Task FullQueue_DropsAreCounted_WriterNeverWaits()
    {
        var sink = new SlowSink(TimeSpan.FromSeconds(1));
        var stats = new LoggerStats("task");
        var exporter = new LogExporter(sink, stats, 4, Sys.Materializer());

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++) exporter.TryWrite(Record());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"1000 writes took {watch.Elapsed}");

        Assert.Equal(1000, stats.Total);
        // Held at most: the channel (4) and a few batches of up to 256 in the stream's one-element stage buffers.
        Assert.True(stats.Dropped(LogDropType.ChannelOverflow) >= 1000 - 4 - 3 * 256, $"only {stats.Dropped(LogDropType.ChannelOverflow)} dropped");
        await exporter.DisposeAsync();
        exporter.TryWrite(Record());
        Assert.Equal(1, stats.Dropped(LogDropType.ChannelClosed));
    }
}
