using System.Net.Sockets;
using System.Text;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;

namespace Proxy.Tests.Logging;

/// <summary>The task, escape and resolve loggers all on stdout: one process stdout, written by several pipelines at once.</summary>
public sealed class SharedStdoutTests
{
    /// <summary>
    /// Stdout as a pipe to a slow reader: every write completes later, as a StreamWriter's flush to a real pipe can.
    /// Later by a yield, not a timer: a 1 ms delay lasts a timer tick or more on a busy machine, and the hundreds of
    /// writes then outlasted the loggers' bounded wait at dispose, which drops what is left (counted).
    /// </summary>
    private sealed class SlowStream : MemoryStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            lock (this) base.Write(buffer.Span);
        }

        public override async Task FlushAsync(CancellationToken cancellationToken) => await Task.Yield();
    }

    [Fact]
    public async Task TwoLoggersWritingAtOnce_LoseNoLine_AndBothKeepWriting()
    {
        var stream = new SlowStream();
        var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 64) { AutoFlush = false };
        var stdout = new LoggerConfig { Driver = LogDriver.Stdout };
        var logger = new TaskLogger(new LogConfig { Task = stdout, Resolve = stdout }, materializer: null, writer);
        const int each = 300;

        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    var r = new LogRecord("Intercept", DateTimeOffset.UnixEpoch);
                    r.Add("n", i);
                    logger.LogIntercept(r);
                    if (i % 10 == 0) await Task.Yield();
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    logger.LogResolve("c-ares", "default", $"d{i}.test", AddressFamily.InterNetwork, TimeSpan.Zero, false, ResolveErrorKind.NotFound);
                    if (i % 10 == 0) await Task.Yield();
                }
            }));
        await logger.DisposeAsync();

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // every line whole: one of the task logger's or one of the resolve logger's, nothing torn or lost
        Assert.Equal(Enumerable.Range(0, each).Select(i => $"n={i}"), lines.Where(l => l.StartsWith("n=", StringComparison.Ordinal)));
        Assert.Equal(each, lines.Count(l => l.StartsWith("daemon_name=g3actors log_type=Resolve ", StringComparison.Ordinal) && l.EndsWith(".test", StringComparison.Ordinal)));
        Assert.Equal(2 * each, lines.Length);
    }
}
