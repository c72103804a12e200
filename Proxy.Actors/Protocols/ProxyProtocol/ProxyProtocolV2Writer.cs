using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>Writes a binary PROXY v2 header (PROXY over TCP, or LOCAL) with optional TLVs.</summary>
internal static class ProxyProtocolV2Writer
{
    /// <summary>A PROXY/STREAM header for source -> destination (families normalised as in v1), then the TLVs.</summary>
    public static void Write(IBufferWriter<byte> output, IPEndPoint source, IPEndPoint destination, IReadOnlyList<ProxyTlv>? tlvs = null)
    {
        var (src, dst) = ProxyAddressPair.Normalise(source.Address, destination.Address);
        var family = src.AddressFamily == AddressFamily.InterNetwork ? ProxyFamily.Inet : ProxyFamily.Inet6;
        var addressLength = ProxyProtocolV2Parser.AddressBlockLength(family);
        var ipLength = addressLength / 2 - 2;
        var span = WriteFixed(output, ProxyCommand.Proxy, family, ProxyTransport.Stream, addressLength, tlvs);
        src.TryWriteBytes(span, out _);
        dst.TryWriteBytes(span[ipLength..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(span[(2 * ipLength)..], (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(span[(2 * ipLength + 2)..], (ushort)destination.Port);
        WriteTlvs(span[addressLength..], tlvs);
        output.Advance(ProxyProtocolV2Parser.FixedLength + addressLength + TlvLength(tlvs));
    }

    /// <summary>A LOCAL/UNSPEC header (a health check from the proxy itself), with optional TLVs.</summary>
    public static void WriteLocal(IBufferWriter<byte> output, IReadOnlyList<ProxyTlv>? tlvs = null)
    {
        var span = WriteFixed(output, ProxyCommand.Local, ProxyFamily.Unspec, ProxyTransport.Unspec, 0, tlvs);
        WriteTlvs(span, tlvs);
        output.Advance(ProxyProtocolV2Parser.FixedLength + TlvLength(tlvs));
    }

    public static byte[] Build(IPEndPoint source, IPEndPoint destination, IReadOnlyList<ProxyTlv>? tlvs = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, source, destination, tlvs);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the 16 fixed bytes and returns the span after them (not yet advanced).</summary>
    private static Span<byte> WriteFixed(IBufferWriter<byte> output, ProxyCommand command, ProxyFamily family,
        ProxyTransport transport, int addressLength, IReadOnlyList<ProxyTlv>? tlvs)
    {
        var dataLength = addressLength + TlvLength(tlvs);
        // Callers build TLVs from their own values; too much is a bug on our side, not a client's.
        if (dataLength > ushort.MaxValue) throw new ArgumentException($"PROXY v2 data of {dataLength} bytes exceeds 65535", nameof(tlvs));
        var span = output.GetSpan(ProxyProtocolV2Parser.FixedLength + dataLength);
        ProxyProtocolDetector.V2Signature.CopyTo(span);
        span[12] = (byte)(0x20 | (byte)command);
        span[13] = (byte)(((byte)family << 4) | (byte)transport);
        BinaryPrimitives.WriteUInt16BigEndian(span[14..], (ushort)dataLength);
        return span[ProxyProtocolV2Parser.FixedLength..];
    }

    private static int TlvLength(IReadOnlyList<ProxyTlv>? tlvs)
    {
        var length = 0;
        if (tlvs is null) return 0;
        foreach (var tlv in tlvs)
        {
            if (tlv.Value.Length > ushort.MaxValue) throw new ArgumentException($"TLV 0x{tlv.Type:X2} value exceeds 65535 bytes", nameof(tlvs));
            length += 3 + tlv.Value.Length;
        }
        return length;
    }

    private static void WriteTlvs(Span<byte> span, IReadOnlyList<ProxyTlv>? tlvs)
    {
        if (tlvs is null) return;
        foreach (var tlv in tlvs)
        {
            span[0] = tlv.Type;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)tlv.Value.Length);
            tlv.Value.CopyTo(span[3..]);
            span = span[(3 + tlv.Value.Length)..];
        }
    }
}
