using System.Buffers;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>The SOCKS5 UDP request header (RFC 1928 section 7): RSV(2)=0 | FRAG | address block | DATA.</summary>
internal static class Socks5UdpCodec
{
    /// <summary>Reads the header of one whole datagram; Consumed is the header length, the data follows it.
    /// A truncated datagram is Invalid (no more bytes will come); a fragment is Done with Fragment set.</summary>
    public static ParseResult<Socks5UdpHeader> Parse(ReadOnlyMemory<byte> datagram)
    {
        var span = datagram.Span;
        if (span.Length < 4) return ParseResult<Socks5UdpHeader>.Invalid("datagram shorter than a SOCKS5 UDP header");
        if (span[0] != 0 || span[1] != 0) return ParseResult<Socks5UdpHeader>.Invalid("reserved bytes are not zero");
        var address = Socks5AddressCodec.Read(new ReadOnlySequence<byte>(datagram[3..]));
        return address.Status switch
        {
            ParseStatus.Done => ParseResult<Socks5UdpHeader>.Done(new Socks5UdpHeader(span[2], address.Value!), 3 + address.Consumed),
            ParseStatus.NeedMore => ParseResult<Socks5UdpHeader>.Invalid("datagram shorter than its address"),
            _ => address.Cast<Socks5UdpHeader>(),
        };
    }

    /// <summary>The largest header: RSV, FRAG, ATYP, a 255-byte domain with its length, the port.</summary>
    public const int MaxHeaderLength = 3 + 1 + 1 + 255 + 2;

    public static int HeaderLength(UpstreamAddr target) => 3 + Socks5AddressCodec.Length(target);

    /// <summary>Writes an unfragmented header for target into span (at least <see cref="HeaderLength"/> bytes); returns its length.</summary>
    public static int WriteHeader(Span<byte> span, UpstreamAddr target)
    {
        span[0] = span[1] = span[2] = 0x00;
        return 3 + Socks5AddressCodec.Write(span[3..], target);
    }

    /// <summary>Writes an unfragmented header for target followed by data.</summary>
    public static void Write(IBufferWriter<byte> output, UpstreamAddr target, ReadOnlySpan<byte> data)
    {
        var headerLength = HeaderLength(target);
        var span = output.GetSpan(headerLength + data.Length);
        WriteHeader(span, target);
        data.CopyTo(span[headerLength..]);
        output.Advance(headerLength + data.Length);
    }
}
