namespace Proxy.Actors.Servers.Socks;

/// <summary>
/// Datagrams a socks_proxy dropped instead of relaying, by cause (server-wide; read by stats and tests).
/// RFC 1928 section 7: a server that does not reassemble drops every fragment.
/// </summary>
public sealed class SocksUdpCounters
{
    private long _fragments;
    private long _oversize;
    private long _invalid;
    private long _refused;

    /// <summary>FRAG != 0.</summary>
    public long DroppedFragments => Interlocked.Read(ref _fragments);
    /// <summary>Payload larger than udp_relay_packet_size, either way.</summary>
    public long DroppedOversize => Interlocked.Read(ref _oversize);
    /// <summary>A malformed header, a sender that is not the task's client, another target on a UDP-connect task.</summary>
    public long DroppedInvalid => Interlocked.Read(ref _invalid);
    /// <summary>A target the ACLs or the escaper refused (UDP ASSOCIATE goes on with the next datagram).</summary>
    public long DroppedRefused => Interlocked.Read(ref _refused);

    internal void Fragment() => Interlocked.Increment(ref _fragments);
    internal void Oversize() => Interlocked.Increment(ref _oversize);
    internal void Invalid() => Interlocked.Increment(ref _invalid);
    internal void Refused() => Interlocked.Increment(ref _refused);
}
