using System.Collections.Concurrent;
using Proxy.Actors.Logging;

namespace Proxy.Actors.Stats;

/// <summary>
/// The tasks a server is running, so their bytes reach server.traffic.* and escaper.traffic.*
/// while they run (a tunnel may live for hours), not only when they end. The pumps update the
/// task's own plain counters; this only reads them: at each stats emit for the running ones,
/// and once more when a task ends. What was already added is remembered per task, so every
/// byte is added exactly once.
/// </summary>
internal sealed class LiveTraffic
{
    private readonly ConcurrentDictionary<TaskNotes, byte> _alive = new(ReferenceEqualityComparer.Instance);

    public void Started(TaskNotes notes) => _alive.TryAdd(notes, 0);

    public void Finished(TaskNotes notes, ServerStats server)
    {
        _alive.TryRemove(notes, out _);
        Publish(notes, server);
        notes.UserCounts?.Ended();
    }

    /// <summary>Called by the stats actor before it reads the traffic counters.</summary>
    public void Sample(ServerStats server)
    {
        foreach (var notes in _alive.Keys) Publish(notes, server);
    }

    private static void Publish(TaskNotes notes, ServerStats server)
    {
        var mark = notes.Published;
        var bytes = notes.Bytes;
        // One publisher at a time per task: the stats actor's sample may meet the task's end.
        lock (mark)
        {
            long cr = bytes.ClientRead, cw = bytes.ClientWritten;
            server.AddTraffic(cr - mark.ClientRead, cw - mark.ClientWritten);
            mark.ClientRead = cr;
            mark.ClientWritten = cw;
            notes.UserCounts?.Publish(notes);
            if (notes.EscaperStats is not { } escaper) return;
            long rr = bytes.RemoteRead, rw = bytes.RemoteWritten;
            escaper.AddTraffic(rr - mark.RemoteRead, rw - mark.RemoteWritten);
            mark.RemoteRead = rr;
            mark.RemoteWritten = rw;
        }
    }
}
