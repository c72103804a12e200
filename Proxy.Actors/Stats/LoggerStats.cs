namespace Proxy.Actors.Stats;

/// <summary>Why a log record was not delivered (g3's drop_type tag values).</summary>
public enum LogDropType { FormatFailed, ChannelClosed, ChannelOverflow, PeerUnreachable }

/// <summary>
/// One logger's counters under g3's names: logger.message.total|pass, logger.traffic.pass and
/// logger.message.drop by drop_type. The enqueue side touches one Interlocked field.
/// </summary>
public sealed class LoggerStats(string name)
{
    private long _total;
    private long _passed;
    private long _passedBytes;
    private readonly long[] _dropped = new long[4];

    public string Name { get; } = name;
    public long StatId { get; } = Stats.StatId.New();
    public long Total => Interlocked.Read(ref _total);
    public long Passed => Interlocked.Read(ref _passed);
    public long PassedBytes => Interlocked.Read(ref _passedBytes);
    public long Dropped(LogDropType type) => Interlocked.Read(ref _dropped[(int)type]);
    public long DroppedTotal => _dropped.Sum(d => Interlocked.Read(ref d));

    public void Offered() => Interlocked.Increment(ref _total);

    public void Drop(LogDropType type, long count = 1) => Interlocked.Add(ref _dropped[(int)type], count);

    public void Pass(long bytes)
    {
        Interlocked.Increment(ref _passed);
        Interlocked.Add(ref _passedBytes, bytes);
    }
}
