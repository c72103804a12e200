using System.Buffers;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>Client side of SOCKS5: reads the method selection, the RFC 1929 status, and the reply with its bound address.</summary>
internal static class Socks5ClientParser
{
    /// <summary>VER=5 | METHOD; the method comes back as sent (NoAcceptable included), the caller decides.</summary>
    public static ParseResult<Socks5AuthMethod> ParseMethodSelection(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty) return ParseResult<Socks5AuthMethod>.NeedMore;
        var version = buffer.FirstSpan[0];
        if (version != Socks5Frame.Version) return ParseResult<Socks5AuthMethod>.Invalid($"SOCKS version {version}, want 5");
        if (buffer.Length < 2) return ParseResult<Socks5AuthMethod>.NeedMore;
        return ParseResult<Socks5AuthMethod>.Done((Socks5AuthMethod)buffer.Slice(1, 1).FirstSpan[0], 2);
    }

    /// <summary>VER=1 | STATUS; Done(true) only for status 0.</summary>
    public static ParseResult<bool> ParseCredentialsReply(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty) return ParseResult<bool>.NeedMore;
        var version = buffer.FirstSpan[0];
        if (version != 0x01) return ParseResult<bool>.Invalid($"username/password version {version}, want 1");
        if (buffer.Length < 2) return ParseResult<bool>.NeedMore;
        return ParseResult<bool>.Done(buffer.Slice(1, 1).FirstSpan[0] == 0x00, 2);
    }

    /// <summary>VER=5 | REP | RSV | BND.ADDR | BND.PORT; any REP value is a Done value (unassigned ones as numbers).</summary>
    public static ParseResult<Socks5Reply> ParseReply(in ReadOnlySequence<byte> buffer)
    {
        var frame = Socks5Frame.Read(buffer);
        if (!frame.IsDone) return frame.Cast<Socks5Reply>();
        return ParseResult<Socks5Reply>.Done(new Socks5Reply((Socks5ReplyCode)frame.Value.Code, frame.Value.Address), frame.Consumed);
    }
}
