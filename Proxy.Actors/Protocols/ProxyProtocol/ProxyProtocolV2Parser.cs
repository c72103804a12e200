using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>Parses a binary PROXY v2 header: 16 fixed bytes, the address block its family needs, then TLVs.</summary>
internal static class ProxyProtocolV2Parser
{
    /// <summary>Fixed part: 12-byte signature, version/command, family/transport, 2-byte length.</summary>
    public const int FixedLength = 16;

    /// <summary>g3's bound on the variable part (addresses + TLVs); a sensible default for maxDataLength.</summary>
    public const int DefaultMaxDataLength = 536;

    private const int UnixPathLength = 108;

    /// <summary>Parses one header; a declared length beyond maxDataLength, or too short for its family, is Invalid.</summary>
    public static ParseResult<ProxyHeader> Parse(in ReadOnlySequence<byte> buffer, int maxDataLength = DefaultMaxDataLength)
    {
        var detection = ProxyProtocolDetector.Detect(buffer);
        if (detection == ProxyProtocolDetection.NeedMore) return ParseResult<ProxyHeader>.NeedMore;
        if (detection != ProxyProtocolDetection.V2) return Fail("bad signature");
        if (buffer.Length < FixedLength) return ParseResult<ProxyHeader>.NeedMore;

        Span<byte> fixedPart = stackalloc byte[FixedLength];
        buffer.Slice(0, FixedLength).CopyTo(fixedPart);
        var version = fixedPart[12] >> 4;
        if (version != 2) return Fail($"version {version}, want 2");
        var commandBits = fixedPart[12] & 0x0F;
        if (commandBits > 1) return Fail($"unknown command {commandBits}");
        var familyBits = fixedPart[13] >> 4;
        if (familyBits > 3) return Fail($"unknown address family {familyBits}");
        var transportBits = fixedPart[13] & 0x0F;
        if (transportBits > 2) return Fail($"unknown transport {transportBits}");
        var family = (ProxyFamily)familyBits;
        var dataLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        if (dataLength > maxDataLength) return Fail($"declared length {dataLength} exceeds the bound {maxDataLength}");
        var addressLength = AddressBlockLength(family);
        if (dataLength < addressLength) return Fail($"declared length {dataLength} is shorter than the {addressLength}-byte {family} address block");
        if (buffer.Length < FixedLength + dataLength) return ParseResult<ProxyHeader>.NeedMore;

        var data = new byte[dataLength];
        buffer.Slice(FixedLength, dataLength).CopyTo(data);
        var tlvs = ReadTlvs(data.AsSpan(addressLength), out var tlvError);
        if (tlvs is null) return Fail(tlvError!);

        var command = (ProxyCommand)commandBits;
        if (command == ProxyCommand.Proxy && family == ProxyFamily.Unix
            && (data.AsSpan(0, UnixPathLength).IndexOf((byte)0) < 0 || data.AsSpan(UnixPathLength, UnixPathLength).IndexOf((byte)0) < 0))
            return Fail("unix socket path is not NUL-terminated within 108 bytes");
        EndPoint? source = null, destination = null;
        // LOCAL means "use the real endpoints": whatever address block is present is discarded.
        if (command == ProxyCommand.Proxy) (source, destination) = ReadAddresses(family, data);
        var header = new ProxyHeader(2, command, family, (ProxyTransport)transportBits, source, destination, tlvs);
        return ParseResult<ProxyHeader>.Done(header, FixedLength + dataLength);
    }

    /// <summary>Bytes of address block each family carries before the TLVs.</summary>
    public static int AddressBlockLength(ProxyFamily family) => family switch
    {
        ProxyFamily.Inet => 12,
        ProxyFamily.Inet6 => 36,
        ProxyFamily.Unix => 2 * UnixPathLength,
        _ => 0,
    };

    private static (EndPoint?, EndPoint?) ReadAddresses(ProxyFamily family, ReadOnlySpan<byte> data)
    {
        switch (family)
        {
            case ProxyFamily.Inet:
                return (new IPEndPoint(new IPAddress(data[..4]), BinaryPrimitives.ReadUInt16BigEndian(data[8..])),
                    new IPEndPoint(new IPAddress(data[4..8]), BinaryPrimitives.ReadUInt16BigEndian(data[10..])));
            case ProxyFamily.Inet6:
                return (new IPEndPoint(new IPAddress(data[..16]), BinaryPrimitives.ReadUInt16BigEndian(data[32..])),
                    new IPEndPoint(new IPAddress(data[16..32]), BinaryPrimitives.ReadUInt16BigEndian(data[34..])));
            case ProxyFamily.Unix:
                return (UnixPath(data[..UnixPathLength]), UnixPath(data[UnixPathLength..(2 * UnixPathLength)]));
            default:
                return (null, null);
        }
    }

    /// <summary>A NUL-terminated path (checked by the caller); an empty one (unnamed or abstract socket) is null.</summary>
    private static UnixDomainSocketEndPoint? UnixPath(ReadOnlySpan<byte> raw)
    {
        var path = raw[..raw.IndexOf((byte)0)];
        return path.IsEmpty ? null : new UnixDomainSocketEndPoint(Encoding.UTF8.GetString(path));
    }

    private static List<ProxyTlv>? ReadTlvs(ReadOnlySpan<byte> rest, out string? error)
    {
        error = null;
        var tlvs = new List<ProxyTlv>();
        while (!rest.IsEmpty)
        {
            if (rest.Length < 3)
            {
                error = $"{rest.Length} stray bytes after the last TLV";
                return null;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(rest[1..]);
            if (rest.Length < 3 + length)
            {
                error = $"TLV 0x{rest[0]:X2} declares {length} bytes, {rest.Length - 3} remain";
                return null;
            }
            tlvs.Add(new ProxyTlv(rest[0], rest.Slice(3, length).ToArray()));
            rest = rest[(3 + length)..];
        }
        return tlvs;
    }

    private static ParseResult<ProxyHeader> Fail(string reason) => ParseResult<ProxyHeader>.Invalid("PROXY v2: " + reason);
}
