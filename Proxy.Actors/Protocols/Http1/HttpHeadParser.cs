using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Proxy.Actors.Protocols.Http1;

/// <summary>
/// HTTP/1.x head parser over bytes (RFC 9112): request or status line, then fields, up to the
/// blank line. Pure: takes a buffer, never a socket. Strict where smuggling lives (obs-fold,
/// space before colon, bare CR), lenient where RFC 9112 allows (bare LF, leading blank lines).
/// </summary>
public static class HttpHeadParser
{
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // Names, methods and reasons most heads carry, spelled as most senders do: one string per
    // process instead of one per request. Only an exact (case-sensitive) match is shared, so a
    // field is still forwarded as it was sent.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Common = new[]
    {
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Content-Length",
        "Content-Type", "Date", "Server", "Cache-Control", "Keep-Alive", "Transfer-Encoding", "Via",
        "X-Forwarded-For", "Cookie", "Set-Cookie", "Location", "Last-Modified", "ETag", "Expires", "Vary",
        "Referer", "Authorization", "Proxy-Connection", "Proxy-Authorization", "Upgrade", "Content-Encoding",
        "host", "user-agent", "accept", "connection", "content-length", "content-type", "date", "server",
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "OK", "Not Found", "No Content", "Not Modified",
    }.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    public static HeadParseStatus TryParseRequest(
        in ReadOnlySequence<byte> buffer, int maxSize, int maxFields,
        out HttpRequestHead? head, out string? error)
    {
        head = null;
        var status = Frame(buffer, maxSize, maxFields, out var span, out var rented, out var wireLength, out error);
        if (status != HeadParseStatus.Done) return status;
        try
        {
            return ParseRequest(span, wireLength, out head, out error);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static HeadParseStatus TryParseResponse(
        in ReadOnlySequence<byte> buffer, int maxSize, int maxFields,
        out HttpResponseHead? head, out string? error)
    {
        head = null;
        var status = Frame(buffer, maxSize, maxFields, out var span, out var rented, out var wireLength, out error);
        if (status != HeadParseStatus.Done) return status;
        try
        {
            return ParseResponse(span, wireLength, out head, out error);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Finds the blank line ending the head and hands back the head as one span.</summary>
    private static HeadParseStatus Frame(
        in ReadOnlySequence<byte> buffer, int maxSize, int maxFields,
        out ReadOnlySpan<byte> span, out byte[]? rented, out int wireLength, out string? error)
    {
        span = default;
        rented = null;
        wireLength = 0;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        var lines = 0;
        var sawContent = false;
        long start = 0;
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (reader.Consumed > maxSize)
            {
                error = "header too large";
                return HeadParseStatus.TooLarge;
            }
            var empty = line.Length == 0 || (line.Length == 1 && line.FirstSpan[0] == (byte)'\r');
            if (!sawContent)
            {
                // RFC 9112 2.2: ignore blank lines before the start line.
                if (empty)
                {
                    start = reader.Consumed;
                    continue;
                }
                sawContent = true;
            }
            if (empty)
            {
                var total = reader.Consumed;
                var headSeq = buffer.Slice(start, total - start);
                wireLength = (int)total;
                if (headSeq.IsSingleSegment)
                {
                    span = headSeq.FirstSpan;
                }
                else
                {
                    rented = ArrayPool<byte>.Shared.Rent((int)headSeq.Length);
                    headSeq.CopyTo(rented);
                    span = rented.AsSpan(0, (int)headSeq.Length);
                }
                return HeadParseStatus.Done;
            }
            if (++lines > maxFields + 1)
            {
                error = "too many header fields";
                return HeadParseStatus.TooLarge;
            }
        }
        if (reader.Remaining > 0 && buffer.Length > maxSize)
        {
            error = "header too large";
            return HeadParseStatus.TooLarge;
        }
        return HeadParseStatus.Incomplete;
    }

    private static HeadParseStatus ParseRequest(ReadOnlySpan<byte> span, int wireLength, out HttpRequestHead? head, out string? error)
    {
        head = null;
        var line = NextLine(ref span);
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0) return Invalid("malformed request line", out error);
        var method = line[..sp1];
        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0) return Invalid("malformed request line", out error);
        var target = rest[..sp2];
        var version = rest[(sp2 + 1)..];
        if (!IsToken(method)) return Invalid("invalid method", out error);
        foreach (var b in target)
            if (b <= 0x20 || b >= 0x7f) return Invalid("invalid request target", out error);
        var v = ParseVersion(version);
        if (v == 0) return Invalid("unsupported HTTP version", out error);

        var h = new HttpRequestHead
        {
            Method = Shared(method),
            Target = Encoding.ASCII.GetString(target),
            Version = v,
            WireLength = wireLength,
        };
        if (!ParseFields(ref span, h.Headers, out error)) return HeadParseStatus.Invalid;
        head = h;
        return HeadParseStatus.Done;
    }

    private static HeadParseStatus ParseResponse(ReadOnlySpan<byte> span, int wireLength, out HttpResponseHead? head, out string? error)
    {
        head = null;
        var line = NextLine(ref span);
        // HTTP/1.1 200 OK — the reason phrase may be empty or absent.
        if (line.Length < 12 || line[8] != (byte)' ') return Invalid("malformed status line", out error);
        var v = ParseVersion(line[..8]);
        if (v == 0) return Invalid("unsupported HTTP version", out error);
        var code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2]))
            return Invalid("malformed status code", out error);
        if (line.Length > 12 && line[12] != (byte)' ') return Invalid("malformed status line", out error);
        var status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        var h = new HttpResponseHead
        {
            Version = v,
            Status = status,
            Reason = line.Length > 13 ? Shared(line[13..]) : "",
            WireLength = wireLength,
        };
        if (!ParseFields(ref span, h.Headers, out error)) return HeadParseStatus.Invalid;
        head = h;
        return HeadParseStatus.Done;
    }

    private static bool ParseFields(ref ReadOnlySpan<byte> span, HttpHeaders headers, out string? error)
    {
        error = null;
        while (span.Length > 0)
        {
            var line = NextLine(ref span);
            if (line.Length == 0) break;
            if (line[0] is (byte)' ' or (byte)'\t')
            {
                error = "obsolete line folding";
                return false;
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                error = "malformed header field";
                return false;
            }
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (value.IndexOfAny((byte)0, (byte)'\r', (byte)'\n') >= 0)
            {
                error = "invalid character in header value";
                return false;
            }
            headers.Add(Shared(line[..colon]), Encoding.Latin1.GetString(value));
        }
        return true;
    }

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> span)
    {
        var nl = span.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line;
        if (nl < 0)
        {
            line = span;
            span = default;
        }
        else
        {
            line = span[..nl];
            span = span[(nl + 1)..];
        }
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        return line;
    }

    private static int ParseVersion(ReadOnlySpan<byte> v) =>
        v.SequenceEqual("HTTP/1.1"u8) ? 11 : v.SequenceEqual("HTTP/1.0"u8) ? 10 : 0;

    private static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExcept(TokenChars);

    /// <summary>Latin-1 text of <paramref name="bytes"/>; the shared string when it is a common one.</summary>
    private static string Shared(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= 20)
        {
            Span<char> chars = stackalloc char[bytes.Length];
            Encoding.Latin1.GetChars(bytes, chars);
            if (Common.TryGetValue(chars, out var common)) return common;
        }
        return Encoding.Latin1.GetString(bytes);
    }

    private static HeadParseStatus Invalid(string message, out string? error)
    {
        error = message;
        return HeadParseStatus.Invalid;
    }
}
