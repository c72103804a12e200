using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Unicode;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Protocols.Socks;

/// <summary>Server side of SOCKS4/4a: VN=4 | CD | DSTPORT | DSTIP | USERID NUL [| DOMAIN NUL when DSTIP is 0.0.0.x, x != 0].</summary>
/// <remarks>USERID and DOMAIN are bounded at 255 bytes each: without a NUL by then the request is Invalid.
/// Every refusal carries <see cref="Socks4ReplyCode.RejectedOrFailed"/> as its code.</remarks>
internal static class Socks4RequestParser
{
    public const int MaxFieldLength = 255;

    public static ParseResult<Socks4Request> Parse(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty) return ParseResult<Socks4Request>.NeedMore;
        var version = buffer.FirstSpan[0];
        if (version != 0x04) return Refuse($"SOCKS version {version}, want 4");
        if (buffer.Length < 2) return ParseResult<Socks4Request>.NeedMore;
        var command = buffer.Slice(1, 1).FirstSpan[0];
        if (command is not ((byte)Socks4Command.Connect or (byte)Socks4Command.Bind)) return Refuse($"unknown command 0x{command:X2}");
        if (buffer.Length < 8) return ParseResult<Socks4Request>.NeedMore;
        Span<byte> fixedPart = stackalloc byte[8];
        buffer.Slice(0, 8).CopyTo(fixedPart);
        var port = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]);
        var ip = fixedPart[4..8];

        var user = NulTerminated(buffer.Slice(8), "user id");
        if (!user.IsDone) return user.Cast<Socks4Request>();
        var consumed = 8 + user.Consumed;
        var is4a = ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0;
        string host;
        if (is4a)
        {
            var domain = NulTerminated(buffer.Slice(consumed), "domain");
            if (!domain.IsDone) return domain.Cast<Socks4Request>();
            if (domain.Value!.Length == 0 || domain.Value.Any(c => c <= ' ' || c == '\x7F')) return Refuse("SOCKS4a domain is empty or not printable");
            host = domain.Value.ToLowerInvariant();
            consumed += domain.Consumed;
        }
        else
        {
            host = new IPAddress(ip).ToString();
        }
        return ParseResult<Socks4Request>.Done(
            new Socks4Request((Socks4Command)command, new UpstreamAddr(host, port), user.Value!, is4a), consumed);
    }

    /// <summary>A UTF-8 string up to a NUL within <see cref="MaxFieldLength"/> bytes; Consumed includes the NUL.</summary>
    private static ParseResult<string> NulTerminated(in ReadOnlySequence<byte> buffer, string what)
    {
        var window = buffer.Slice(0, Math.Min(buffer.Length, MaxFieldLength + 1));
        var nul = window.PositionOf((byte)0);
        if (nul is null)
            return buffer.Length > MaxFieldLength ? Refuse<string>($"{what} longer than {MaxFieldLength} bytes") : ParseResult<string>.NeedMore;
        var bytes = window.Slice(0, nul.Value).ToArray();
        if (!Utf8.IsValid(bytes)) return Refuse<string>($"{what} is not UTF-8");
        return ParseResult<string>.Done(Encoding.UTF8.GetString(bytes), bytes.Length + 1);
    }

    private static ParseResult<Socks4Request> Refuse(string reason) => Refuse<Socks4Request>(reason);

    private static ParseResult<T> Refuse<T>(string reason) => ParseResult<T>.Invalid(reason, (int)Socks4ReplyCode.RejectedOrFailed);
}
