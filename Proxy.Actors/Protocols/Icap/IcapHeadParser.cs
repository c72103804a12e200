using System.Buffers;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Protocols.Icap;

/// <summary>
/// ICAP response heads over bytes. An ICAP head is an HTTP/1.1-shaped head with <c>ICAP/1.0</c>
/// in place of the HTTP version (RFC 3507 section 4.3), so the project's HTTP/1 parser reads it
/// once the version is swapped in a copy; the copy is bounded by icap_max_header_size.
/// </summary>
public static class IcapHeadParser
{
    private const int MaxFields = 256;

    public static HeadParseStatus TryParse(in ReadOnlySequence<byte> buffer, int maxSize, out IcapResponseHead? head, out string? error)
    {
        head = null;
        error = null;
        if (buffer.Length < 8) return HeadParseStatus.Incomplete;
        var copy = buffer.Slice(0, Math.Min(buffer.Length, maxSize + 1L)).ToArray();
        if (!copy.AsSpan(0, 8).SequenceEqual("ICAP/1.0"u8))
        {
            error = "not an ICAP/1.0 status line";
            return HeadParseStatus.Invalid;
        }
        "HTTP/1.1"u8.CopyTo(copy);
        var status = HttpHeadParser.TryParseResponse(new ReadOnlySequence<byte>(copy), maxSize, MaxFields, out var http, out error);
        if (status == HeadParseStatus.Incomplete && copy.Length > maxSize)
        {
            error = "ICAP head larger than icap_max_header_size";
            return HeadParseStatus.TooLarge;
        }
        if (status != HeadParseStatus.Done) return status;
        head = new IcapResponseHead { Status = http!.Status, Reason = http.Reason, Headers = http.Headers, WireLength = http.WireLength };
        return HeadParseStatus.Done;
    }
}
