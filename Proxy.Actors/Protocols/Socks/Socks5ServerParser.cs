using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>Server side of SOCKS5: reads the greeting, RFC 1929 credentials and the request.</summary>
/// <remarks>A length byte ahead of the bytes it counts is NeedMore (the caller's timeout ends the wait); an
/// impossible value (wrong version, no methods, empty username, unknown command or address type) is Invalid.
/// Request refusals carry the reply code to send in <see cref="ParseResult{T}.Code"/>.</remarks>
internal static class Socks5ServerParser
{
    /// <summary>VER=5 | NMETHODS (1..255) | METHODS (none of them 0xFF).</summary>
    public static ParseResult<Socks5Greeting> ParseGreeting(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty) return ParseResult<Socks5Greeting>.NeedMore;
        var version = buffer.FirstSpan[0];
        if (version != Socks5Frame.Version) return ParseResult<Socks5Greeting>.Invalid($"SOCKS version {version}, want 5");
        if (buffer.Length < 2) return ParseResult<Socks5Greeting>.NeedMore;
        var count = buffer.Slice(1, 1).FirstSpan[0];
        if (count == 0) return ParseResult<Socks5Greeting>.Invalid("greeting offers no methods");
        if (buffer.Length < 2 + count) return ParseResult<Socks5Greeting>.NeedMore;
        var methods = buffer.Slice(2, count).ToArray();
        // 0xFF is the server's "none acceptable", never an offer (g3 refuses it too).
        if (methods.Contains((byte)Socks5AuthMethod.NoAcceptable)) return ParseResult<Socks5Greeting>.Invalid("greeting offers method 0xFF");
        return ParseResult<Socks5Greeting>.Done(new Socks5Greeting(methods), 2 + count);
    }

    /// <summary>RFC 1929: VER=1 | ULEN (1..255) | UNAME | PLEN | PASSWD, both UTF-8 (an empty password is accepted).</summary>
    public static ParseResult<Socks5Credentials> ParseCredentials(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty) return ParseResult<Socks5Credentials>.NeedMore;
        var version = buffer.FirstSpan[0];
        if (version != 0x01) return ParseResult<Socks5Credentials>.Invalid($"username/password version {version}, want 1");
        if (buffer.Length < 2) return ParseResult<Socks5Credentials>.NeedMore;
        var userLength = buffer.Slice(1, 1).FirstSpan[0];
        if (userLength == 0) return ParseResult<Socks5Credentials>.Invalid("empty username");
        if (buffer.Length < 2 + userLength + 1) return ParseResult<Socks5Credentials>.NeedMore;
        var passLength = buffer.Slice(2 + userLength, 1).FirstSpan[0];
        var total = 2 + userLength + 1 + passLength;
        if (buffer.Length < total) return ParseResult<Socks5Credentials>.NeedMore;
        var user = buffer.Slice(2, userLength).ToArray();
        var pass = buffer.Slice(3 + userLength, passLength).ToArray();
        if (!Utf8.IsValid(user) || !Utf8.IsValid(pass)) return ParseResult<Socks5Credentials>.Invalid("username or password is not UTF-8");
        return ParseResult<Socks5Credentials>.Done(new Socks5Credentials(Encoding.UTF8.GetString(user), Encoding.UTF8.GetString(pass)), total);
    }

    /// <summary>VER=5 | CMD | RSV | ATYP | DST.ADDR | DST.PORT.</summary>
    public static ParseResult<Socks5Request> ParseRequest(in ReadOnlySequence<byte> buffer)
    {
        var frame = Socks5Frame.Read(buffer, static cmd => Enum.IsDefined((Socks5Command)cmd) ? null : $"unknown command 0x{cmd:X2}");
        if (!frame.IsDone) return frame.Cast<Socks5Request>();
        return ParseResult<Socks5Request>.Done(new Socks5Request((Socks5Command)frame.Value.Code, frame.Value.Address), frame.Consumed);
    }
}
