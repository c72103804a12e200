using System.Text;
using Proxy.Actors.Protocols.TlsHello;

namespace Proxy.Actors.Protocols.Inspect;

/// <summary>
/// Recognises a protocol from the first bytes of one side of a stream (lib/g3-dpi's inspector, the
/// protocols G3Actors knows). Client-first: TLS, HTTP/1, the HTTP/2 preface, SSH, BitTorrent.
/// Server-first (a greeting): SSH, SMTP, FTP, POP3, IMAP, NNTP, NATS. Pure: bytes in, a verdict out;
/// the caller bounds how long and how much it reads.
/// </summary>
internal static class ProtocolRecognizer
{
    private static readonly byte[] H2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private static readonly byte[] Ssh = "SSH-"u8.ToArray();
    private static readonly byte[] BitTorrent = "\u0013BitTorrent protocol"u8.ToArray();
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

    private enum Verdict { No, More, Yes }

    /// <summary>The client spoke first.</summary>
    /// <param name="hinted">Protocols the port map names for this port (g3's portmap): only used to order ties.</param>
    public static Recognition FromClient(ReadOnlySpan<byte> data, RecognizeLimits limits, IReadOnlyList<string>? hinted = null)
    {
        if (data.IsEmpty) return Recognition.More;
        var more = false;
        switch (TlsDetector.Detect(data))
        {
            case TlsDetection.Tls: return Recognition.Found(InspectedProtocol.Tls);
            case TlsDetection.NeedMore: more = true; break;
        }
        // The preface starts like an HTTP/1 request line ("PRI * HTTP/2.0"): check it first.
        switch (Prefix(data, H2Preface))
        {
            case Verdict.Yes: return Recognition.Found(InspectedProtocol.Http2);
            case Verdict.More: more = true; break;
        }
        switch (Http1Request(data, limits.HttpRequestUri))
        {
            case Verdict.Yes: return Recognition.Found(InspectedProtocol.Http1);
            case Verdict.More: more = true; break;
        }
        switch (Prefix(data, Ssh))
        {
            case Verdict.Yes: return Recognition.Found(InspectedProtocol.Ssh);
            case Verdict.More: more = true; break;
        }
        switch (Prefix(data, BitTorrent))
        {
            case Verdict.Yes: return Recognition.Found(InspectedProtocol.BitTorrent);
            case Verdict.More: more = true; break;
        }
        return more ? Recognition.More : Recognition.Unknown;
    }

    /// <summary>The server spoke first: a greeting line.</summary>
    public static Recognition FromServer(ReadOnlySpan<byte> data, RecognizeLimits limits, IReadOnlyList<string>? hinted = null)
    {
        if (data.IsEmpty) return Recognition.More;
        switch (Prefix(data, Ssh))
        {
            case Verdict.Yes: return Recognition.Found(InspectedProtocol.Ssh);
            case Verdict.More: return Recognition.More;
        }
        if (data.Length < 4) return Recognition.More;
        var lineEnd = data.IndexOf((byte)'\n');
        var maxLine = Math.Max(Math.Max(limits.FtpGreetingMsg, limits.ImapGreetingMsg), limits.NatsInfoLine);
        if (lineEnd < 0 && data.Length < maxLine) return Recognition.More;
        var line = lineEnd < 0 ? data : data[..lineEnd];
        if (line.StartsWith("+OK"u8)) return Recognition.Found(InspectedProtocol.Pop3);
        if (line.StartsWith("* OK"u8) || line.StartsWith("* PREAUTH"u8) || line.StartsWith("* BYE"u8))
            return line.Length <= limits.ImapGreetingMsg ? Recognition.Found(InspectedProtocol.Imap) : Recognition.Unknown;
        if (line.StartsWith("INFO "u8) || line.StartsWith("INFO\t"u8))
            return line.Length <= limits.NatsInfoLine ? Recognition.Found(InspectedProtocol.Nats) : Recognition.Unknown;
        if (!IsReplyCode(line)) return Recognition.Unknown;
        var code = Encoding.ASCII.GetString(line[..3]);
        return code switch
        {
            "200" or "201" => Recognition.Found(InspectedProtocol.Nntp),
            "120" or "421" => Recognition.Found(InspectedProtocol.Ftp),
            "554" => Recognition.Found(InspectedProtocol.Smtp),
            // 220 is both SMTP's and FTP's greeting: the port map decides, then the text (g3 orders by the port map too).
            "220" => Recognition.Found(FtpOrSmtp(line, limits, hinted)),
            _ => Recognition.Unknown,
        };
    }

    private static InspectedProtocol FtpOrSmtp(ReadOnlySpan<byte> line, RecognizeLimits limits, IReadOnlyList<string>? hinted)
    {
        if (hinted is not null)
            foreach (var h in hinted)
            {
                if (h == "ftp") return InspectedProtocol.Ftp;
                if (h == "smtp") return InspectedProtocol.Smtp;
            }
        var text = Encoding.ASCII.GetString(line[..Math.Min(line.Length, limits.FtpGreetingMsg)]);
        return text.Contains("FTP", StringComparison.OrdinalIgnoreCase) && !text.Contains("SMTP", StringComparison.OrdinalIgnoreCase)
            ? InspectedProtocol.Ftp
            : InspectedProtocol.Smtp;
    }

    /// <summary>Three digits then a space or '-' (a multi-line reply).</summary>
    private static bool IsReplyCode(ReadOnlySpan<byte> line) =>
        line.Length >= 4 && char.IsAsciiDigit((char)line[0]) && char.IsAsciiDigit((char)line[1]) && char.IsAsciiDigit((char)line[2])
        && line[3] is (byte)' ' or (byte)'-';

    /// <summary>"METHOD SP target SP HTTP/1.x": the method from RFC 9110's list, the target within the URI limit.</summary>
    private static Verdict Http1Request(ReadOnlySpan<byte> data, int maxUri)
    {
        var space = data.IndexOf((byte)' ');
        var methodPart = space < 0 ? data : data[..space];
        if (methodPart.Length > 7) return Verdict.No;
        var method = Encoding.ASCII.GetString(methodPart);
        var candidate = false;
        foreach (var m in Methods)
        {
            if (space >= 0 ? m == method : m.StartsWith(method, StringComparison.Ordinal)) candidate = true;
        }
        if (!candidate) return Verdict.No;
        if (space < 0) return Verdict.More;
        var rest = data[(space + 1)..];
        var targetEnd = rest.IndexOf((byte)' ');
        if (targetEnd < 0)
        {
            if (rest.Length > maxUri || rest.IndexOfAny((byte)'\r', (byte)'\n') >= 0) return Verdict.No;
            return Verdict.More;
        }
        if (targetEnd == 0 || targetEnd > maxUri) return Verdict.No;
        return Prefix(rest[(targetEnd + 1)..], "HTTP/1."u8) switch
        {
            Verdict.Yes => Verdict.Yes,
            Verdict.More => Verdict.More,
            _ => Verdict.No,
        };
    }

    private static Verdict Prefix(ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected)
    {
        var n = Math.Min(data.Length, expected.Length);
        if (!data[..n].SequenceEqual(expected[..n])) return Verdict.No;
        return n == expected.Length ? Verdict.Yes : Verdict.More;
    }
}
