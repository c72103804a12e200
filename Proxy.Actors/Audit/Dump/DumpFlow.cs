using System.Net;

namespace Proxy.Actors.Audit.Dump;

/// <summary>
/// Both directions of one dumped stream: their packet headers and the byte counts that give the fake
/// TCP sequence numbers (each direction starts at 1; a packet acknowledges what the other side sent).
/// </summary>
internal sealed class DumpFlow
{
    private readonly StreamDumper _dumper;
    private uint _toClient = 1;
    private uint _toRemote = 1;

    public DumpFlow(StreamDumper dumper, IPEndPoint client, IPEndPoint localServer, IPEndPoint localClient, IPEndPoint remoteAddr, DissectorHint hint)
    {
        _dumper = dumper;
        var toClient = ExportedPdu.ProxyHeader(hint, localServer, client, remoteAddr, localClient, out var c);
        var toRemote = ExportedPdu.ProxyHeader(hint, client, localServer, localClient, remoteAddr, out var r);
        ToClient = new Direction(this, toClient, c, toClientSide: true);
        ToRemote = new Direction(this, toRemote, r, toClientSide: false);
    }

    public Direction ToClient { get; }
    public Direction ToRemote { get; }

    internal sealed class Direction(DumpFlow flow, byte[] header, int tcpInfoOffset, bool toClientSide)
    {
        /// <summary>Packets of at most the dumper's packet size, header included, carrying <paramref name="data"/> in order.</summary>
        public void Dump(ReadOnlySpan<byte> data)
        {
            var room = flow._dumper.PacketSize - header.Length;
            while (!data.IsEmpty)
            {
                var n = Math.Min(room, data.Length);
                var packet = new byte[header.Length + n];
                header.CopyTo(packet, 0);
                data[..n].CopyTo(packet.AsSpan(header.Length));
                lock (flow)
                {
                    var seq = toClientSide ? flow._toClient : flow._toRemote;
                    var ack = toClientSide ? flow._toRemote : flow._toClient;
                    ExportedPdu.SetTcpInfo(packet, tcpInfoOffset, seq, unchecked(seq + (uint)n), ack);
                    if (toClientSide) flow._toClient = unchecked(seq + (uint)n);
                    else flow._toRemote = unchecked(seq + (uint)n);
                }
                flow._dumper.Enqueue(packet);
                data = data[n..];
            }
        }
    }
}
