namespace Proxy.Actors.Relay;

/// <summary>
/// Byte counters of one task, named as g3's task log names them. Each field has one writer
/// (one pump direction); readers (task log, stats sampling) tolerate a stale value.
/// </summary>
public sealed class TaskBytes
{
    public long ClientRead;
    public long ClientWritten;
    public long RemoteRead;
    public long RemoteWritten;
}
