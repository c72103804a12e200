namespace Proxy.Actors.Stats;

/// <summary>
/// Datagram counts of one UDP task (user.traffic.*.packets, user.upstream.traffic.*.packets).
/// Like <see cref="Relay.TaskBytes"/>: each field has one writer, readers tolerate a stale value.
/// </summary>
public sealed class TaskPackets
{
    public long ClientRead;
    public long ClientWritten;
    public long RemoteRead;
    public long RemoteWritten;
}
