using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>Reads and writes ATYP + address + port, the block shared by SOCKS5 requests, replies and UDP headers.</summary>
internal static class Socks5AddressCodec
{
    /// <summary>Reads one address block at the start of buffer; Consumed is its length. Refusals carry a reply code.</summary>
    public static ParseResult<UpstreamAddr> Read(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty) return ParseResult<UpstreamAddr>.NeedMore;
        var type = buffer.FirstSpan[0];
        int length;
        switch ((Socks5AddressType)type)
        {
            case Socks5AddressType.IPv4: length = 1 + 4 + 2; break;
            case Socks5AddressType.IPv6: length = 1 + 16 + 2; break;
            case Socks5AddressType.Domain:
                if (buffer.Length < 2) return ParseResult<UpstreamAddr>.NeedMore;
                var domainLength = buffer.Slice(1, 1).FirstSpan[0];
                if (domainLength == 0) return Refuse("empty domain name", Socks5ReplyCode.GeneralFailure);
                length = 1 + 1 + domainLength + 2;
                break;
            default:
                return Refuse($"unknown address type 0x{type:X2}", Socks5ReplyCode.AddressTypeNotSupported);
        }
        if (buffer.Length < length) return ParseResult<UpstreamAddr>.NeedMore;

        Span<byte> block = stackalloc byte[length];
        buffer.Slice(0, length).CopyTo(block);
        var port = BinaryPrimitives.ReadUInt16BigEndian(block[^2..]);
        var raw = block[1..^2];
        string host;
        if (type == (byte)Socks5AddressType.Domain)
        {
            var name = raw[1..];
            if (!IsSaneDomain(name)) return Refuse("domain name is not printable UTF-8", Socks5ReplyCode.GeneralFailure);
            host = Encoding.UTF8.GetString(name).ToLowerInvariant();
        }
        else
        {
            host = new IPAddress(raw).ToString();
        }
        return ParseResult<UpstreamAddr>.Done(new UpstreamAddr(host, port), length);
    }

    /// <summary>Bytes <see cref="Write"/> will use for this address.</summary>
    public static int Length(UpstreamAddr address) => address.Ip switch
    {
        { AddressFamily: AddressFamily.InterNetwork } => 1 + 4 + 2,
        { } => 1 + 16 + 2,
        null => 1 + 1 + DomainBytes(address.Host) + 2,
    };

    /// <summary>Writes ATYP, address and port into span (at least <see cref="Length"/> bytes); returns the length.</summary>
    public static int Write(Span<byte> span, UpstreamAddr address)
    {
        var length = Length(address);
        if (address.Ip is { } ip)
        {
            span[0] = (byte)(ip.AddressFamily == AddressFamily.InterNetwork ? Socks5AddressType.IPv4 : Socks5AddressType.IPv6);
            ip.TryWriteBytes(span[1..], out _);
        }
        else
        {
            span[0] = (byte)Socks5AddressType.Domain;
            span[1] = (byte)DomainBytes(address.Host);
            Encoding.UTF8.GetBytes(address.Host, span[2..]);
        }
        BinaryPrimitives.WriteUInt16BigEndian(span[(length - 2)..], (ushort)address.Port);
        return length;
    }

    /// <summary>A domain too long for the one length byte is a caller bug (the name came from our own config or client).</summary>
    private static int DomainBytes(string host)
    {
        var n = Encoding.UTF8.GetByteCount(host);
        if (n is 0 or > 255) throw new ArgumentException($"a SOCKS5 domain must be 1..255 bytes, got {n}", nameof(host));
        return n;
    }

    private static bool IsSaneDomain(ReadOnlySpan<byte> name)
    {
        if (!Utf8.IsValid(name)) return false;
        foreach (var b in name)
            if (b <= 0x20 || b == 0x7F) return false;
        return true;
    }

    private static ParseResult<UpstreamAddr> Refuse(string reason, Socks5ReplyCode code) =>
        ParseResult<UpstreamAddr>.Invalid(reason, (int)code);
}
