using System.Buffers;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>VER | CMD-or-REP | RSV | address block: the one layout SOCKS5 requests and replies share.</summary>
internal static class Socks5Frame
{
    public const byte Version = 0x05;

    /// <summary>Reads the frame; the middle byte comes back raw for the caller to interpret (RSV is ignored, as RFC 1928 leaves it).</summary>
    public static ParseResult<(byte Code, UpstreamAddr Address)> Read(in ReadOnlySequence<byte> buffer, Func<byte, string?>? checkCode = null)
    {
        if (buffer.IsEmpty) return ParseResult<(byte, UpstreamAddr)>.NeedMore;
        var version = buffer.FirstSpan[0];
        if (version != Version) return ParseResult<(byte, UpstreamAddr)>.Invalid($"SOCKS version {version}, want 5", (int)Socks5ReplyCode.GeneralFailure);
        if (buffer.Length < 2) return ParseResult<(byte, UpstreamAddr)>.NeedMore;
        var code = buffer.Slice(1, 1).FirstSpan[0];
        if (checkCode?.Invoke(code) is { } refusal)
            return ParseResult<(byte, UpstreamAddr)>.Invalid(refusal, (int)Socks5ReplyCode.CommandNotSupported);
        if (buffer.Length < 4) return ParseResult<(byte, UpstreamAddr)>.NeedMore;
        var address = Socks5AddressCodec.Read(buffer.Slice(3));
        if (!address.IsDone) return address.Cast<(byte, UpstreamAddr)>();
        return ParseResult<(byte, UpstreamAddr)>.Done((code, address.Value!), 3 + address.Consumed);
    }

    public static void Write(IBufferWriter<byte> output, byte code, UpstreamAddr address)
    {
        var span = output.GetSpan(3 + Socks5AddressCodec.Length(address));
        span[0] = Version;
        span[1] = code;
        span[2] = 0x00;
        output.Advance(3 + Socks5AddressCodec.Write(span[3..], address));
    }
}
