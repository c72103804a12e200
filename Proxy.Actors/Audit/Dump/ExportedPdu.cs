using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Proxy.Actors.Audit.Dump;

/// <summary>Which Wireshark dissector reads a dumped stream: one by name, or a port table (tcp.port / tls.port).</summary>
internal sealed record DissectorHint(string? Name, string? Table, ushort Port)
{
    public static DissectorHint Protocol(string name) => new(name, null, 0);
    public static DissectorHint TcpPort(int port) => new(null, "tcp.port", (ushort)port);
    public static DissectorHint TlsPort(int port) => new(null, "tls.port", (ushort)port);

    /// <summary>
    /// g3's choice for an intercepted TLS stream: the protocol the ALPN named (or the STARTTLS protocol),
    /// else the tls.port table with the upstream port, so Wireshark picks the app protocol by port.
    /// </summary>
    public static DissectorHint ForTls(Protocols.CertGen.TlsServiceType service, string? alpn, int upstreamPort) => (service, alpn) switch
    {
        (Protocols.CertGen.TlsServiceType.Smtp, _) => Protocol("smtp"),
        (Protocols.CertGen.TlsServiceType.Imap, _) => Protocol("imap"),
        (_, "http/1.1" or "http/1.0") => Protocol("http"),
        (_, "h2") => Protocol("http2"),
        _ => TlsPort(upstreamPort),
    };
}

/// <summary>
/// Wireshark's exported PDU frames (epan/exported_pdu.h) as g3's udpdump writer lays them out
/// (lib/g3-udpdump): TLVs of 2-byte tag, 2-byte length, value. A proxied stream's packet has an inner
/// header (dissector "exported_pdu", the client and the proxy's listening address, end of options),
/// then the stream's own (the dissector hint, the proxy's outgoing address and the remote, port type
/// TCP, the TCP dissector data with seq/next seq/ack, end of options), then the payload.
/// </summary>
internal static class ExportedPdu
{
    public const ushort TagEndOfOpt = 0;
    public const ushort TagDissectorName = 12;
    public const ushort TagDissectorTableName = 14;
    public const ushort TagIpv4Src = 20;
    public const ushort TagIpv4Dst = 21;
    public const ushort TagIpv6Src = 22;
    public const ushort TagIpv6Dst = 23;
    public const ushort TagPortType = 24;
    public const ushort TagSrcPort = 25;
    public const ushort TagDstPort = 26;
    public const ushort TagDissectorTableNumVal = 32;
    public const ushort TagTcpInfoData = 34;
    public const uint PortTypeTcp = 2;

    /// <summary>
    /// The header of every packet one direction of a proxied stream sends; <paramref name="tcpInfoOffset"/>
    /// is where its TCP dissector data TLV starts (<see cref="SetTcpInfo"/> fills it per packet).
    /// </summary>
    public static byte[] ProxyHeader(DissectorHint hint, IPEndPoint innerSrc, IPEndPoint innerDst, IPEndPoint src, IPEndPoint dst, out int tcpInfoOffset)
    {
        var b = new List<byte>(160);
        Tlv(b, TagDissectorName, Encoding.ASCII.GetBytes("exported_pdu"));
        Addresses(b, innerSrc, innerDst);
        Tlv(b, TagEndOfOpt, []);
        if (hint.Name is { Length: > 0 } name) Tlv(b, TagDissectorName, Encoding.ASCII.GetBytes(name));
        if (hint.Table is { } table)
        {
            Tlv(b, TagDissectorTableName, Encoding.ASCII.GetBytes(table));
            Tlv(b, TagDissectorTableNumVal, U32(hint.Port));
        }
        Addresses(b, src, dst);
        Tlv(b, TagPortType, U32(PortTypeTcp));
        tcpInfoOffset = b.Count;
        // version 1, seq, next seq, last ack (set per packet), then "reassembled" and TCP flags PSH|ACK
        Tlv(b, TagTcpInfoData, [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0x18, 0, 0]);
        Tlv(b, TagEndOfOpt, []);
        return [.. b];
    }

    /// <summary>Writes one packet's sequence numbers into its copy of the header.</summary>
    public static void SetTcpInfo(Span<byte> header, int tcpInfoOffset, uint seq, uint nextSeq, uint lastAck)
    {
        var at = tcpInfoOffset + 6; // tag, length, version
        BinaryPrimitives.WriteUInt32BigEndian(header[at..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(header[(at + 4)..], nextSeq);
        BinaryPrimitives.WriteUInt32BigEndian(header[(at + 8)..], lastAck);
    }

    private static void Addresses(List<byte> b, IPEndPoint src, IPEndPoint dst)
    {
        Tlv(b, src.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? TagIpv4Src : TagIpv6Src, src.Address.GetAddressBytes());
        Tlv(b, dst.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? TagIpv4Dst : TagIpv6Dst, dst.Address.GetAddressBytes());
        Tlv(b, TagSrcPort, U32((uint)src.Port));
        Tlv(b, TagDstPort, U32((uint)dst.Port));
    }

    private static byte[] U32(uint v)
    {
        var x = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(x, v);
        return x;
    }

    private static void Tlv(List<byte> b, ushort tag, byte[] value)
    {
        b.Add((byte)(tag >> 8));
        b.Add((byte)tag);
        b.Add((byte)(value.Length >> 8));
        b.Add((byte)value.Length);
        b.AddRange(value);
    }
}
