using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Audit.Dump;

/// <summary>
/// A reader of exported PDU frames as Wireshark's udpdump gets them, written from epan/exported_pdu.h
/// (not from the proxy's code): TLVs up to an end-of-options tag; a proxied frame ("exported_pdu")
/// has a second TLV block, then the payload.
/// </summary>
internal sealed record UdpDumpFrame(IReadOnlyList<(ushort Tag, byte[] Value)> Inner, IReadOnlyList<(ushort Tag, byte[] Value)> Outer, byte[] Payload, int Size)
{
    public static UdpDumpFrame Parse(byte[] datagram)
    {
        var at = 0;
        var inner = Block(datagram, ref at);
        var outer = Text(inner, 12) == "exported_pdu" ? Block(datagram, ref at) : [];
        return new UdpDumpFrame(inner, outer, datagram[at..], datagram.Length);
    }

    private static List<(ushort, byte[])> Block(byte[] d, ref int at)
    {
        var tlvs = new List<(ushort, byte[])>();
        while (true)
        {
            var tag = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(at));
            var len = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(at + 2));
            var value = d.AsSpan(at + 4, len).ToArray();
            at += 4 + len;
            if (tag == 0) return tlvs;
            tlvs.Add((tag, value));
        }
    }

    public static string? Text(IReadOnlyList<(ushort Tag, byte[] Value)> tlvs, ushort tag) =>
        tlvs.Where(t => t.Tag == tag).Select(t => Encoding.ASCII.GetString(t.Value)).FirstOrDefault();

    public static uint U32(IReadOnlyList<(ushort Tag, byte[] Value)> tlvs, ushort tag) =>
        BinaryPrimitives.ReadUInt32BigEndian(tlvs.First(t => t.Tag == tag).Value);

    public static IPAddress Ip(IReadOnlyList<(ushort Tag, byte[] Value)> tlvs, ushort tag) => new(tlvs.First(t => t.Tag == tag).Value);

    /// <summary>The TCP dissector data's seq, next seq and last ack (tag 34: version, then three u32).</summary>
    public (uint Seq, uint Next, uint Ack) TcpInfo
    {
        get
        {
            var v = Outer.First(t => t.Tag == 34).Value;
            return (BinaryPrimitives.ReadUInt32BigEndian(v.AsSpan(2)), BinaryPrimitives.ReadUInt32BigEndian(v.AsSpan(6)), BinaryPrimitives.ReadUInt32BigEndian(v.AsSpan(10)));
        }
    }

    /// <summary>Destination port of the stream (tag 26), which tells the directions apart.</summary>
    public uint DstPort => U32(Outer, 26);

    /// <summary>Frames arriving on <paramref name="udp"/> until <paramref name="done"/> holds or 20 s pass.</summary>
    public static async Task<List<UdpDumpFrame>> ReceiveAsync(UdpClient udp, Func<List<UdpDumpFrame>, bool> done)
    {
        var frames = new List<UdpDumpFrame>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (!done(frames)) frames.Add(Parse((await udp.ReceiveAsync(cts.Token)).Buffer));
        }
        catch (OperationCanceledException) { }
        return frames;
    }
}
