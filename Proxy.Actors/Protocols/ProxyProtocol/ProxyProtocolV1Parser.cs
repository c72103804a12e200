using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>Parses a PROXY v1 text line ("PROXY TCP4 src dst sport dport\r\n"), strictly, within 107 bytes.</summary>
internal static class ProxyProtocolV1Parser
{
    /// <summary>The spec's worst case (TCP6 with two full addresses) including CRLF; a receiver never waits past it.</summary>
    public const int MaxLength = 107;

    public static ParseResult<ProxyHeader> Parse(in ReadOnlySequence<byte> buffer)
    {
        var detection = ProxyProtocolDetector.Detect(buffer);
        if (detection == ProxyProtocolDetection.NeedMore) return ParseResult<ProxyHeader>.NeedMore;
        if (detection != ProxyProtocolDetection.V1) return Fail("not a PROXY v1 header");

        var window = buffer.Slice(0, Math.Min(buffer.Length, MaxLength));
        var lf = window.PositionOf((byte)'\n');
        if (lf is null)
            return buffer.Length >= MaxLength ? Fail($"no CRLF within {MaxLength} bytes") : ParseResult<ProxyHeader>.NeedMore;

        var lineLength = (int)window.Slice(0, lf.Value).Length;
        Span<byte> line = stackalloc byte[MaxLength];
        window.Slice(0, lineLength).CopyTo(line);
        line = line[..lineLength];
        if (lineLength == 0 || line[^1] != (byte)'\r') return Fail("line does not end with CRLF");
        var header = ParseLine(line[..^1], out var reason);
        return header is null ? Fail(reason!) : ParseResult<ProxyHeader>.Done(header, lineLength + 1);
    }

    private static ProxyHeader? ParseLine(ReadOnlySpan<byte> line, out string? reason)
    {
        reason = null;
        line = line[ProxyProtocolDetector.V1Preamble.Length..];
        if (line.StartsWith("UNKNOWN"u8))
        {
            // The spec lets the sender put anything after UNKNOWN; the receiver ignores it.
            if (line.Length > 7 && line[7] != (byte)' ') return Bad("unknown protocol", out reason);
            return new ProxyHeader(1, ProxyCommand.Proxy, ProxyFamily.Unspec, ProxyTransport.Unspec, null, null, []);
        }
        ProxyFamily family;
        if (line.StartsWith("TCP4 "u8)) family = ProxyFamily.Inet;
        else if (line.StartsWith("TCP6 "u8)) family = ProxyFamily.Inet6;
        else return Bad("unknown protocol (want TCP4, TCP6 or UNKNOWN)", out reason);

        Span<Range> parts = stackalloc Range[5];
        var rest = line[5..];
        if (Split(rest, (byte)' ', parts) != 4) return Bad("want exactly: src dst sport dport, single spaces", out reason);
        var src = Address(rest[parts[0]], family);
        var dst = Address(rest[parts[1]], family);
        if (src is null || dst is null) return Bad($"address is not a canonical {(family == ProxyFamily.Inet ? "IPv4" : "IPv6")} address", out reason);
        var sport = Port(rest[parts[2]]);
        var dport = Port(rest[parts[3]]);
        if (sport < 0 || dport < 0) return Bad("port is not a decimal 0..65535 without leading zeros", out reason);
        return new ProxyHeader(1, ProxyCommand.Proxy, family, ProxyTransport.Stream,
            new IPEndPoint(src, sport), new IPEndPoint(dst, dport), []);
    }

    private static IPAddress? Address(ReadOnlySpan<byte> text, ProxyFamily family)
    {
        if (text.IsEmpty || text.Length > 45) return null;
        if (family == ProxyFamily.Inet) return DottedQuad(text);
        foreach (var b in text)
            if (!(char.IsAsciiHexDigit((char)b) || b is (byte)':' or (byte)'.')) return null; // no zone ids
        return IPAddress.TryParse(Encoding.ASCII.GetString(text), out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? ip : null;
    }

    /// <summary>Exactly four decimal octets; leading zeros refused (the spec forbids them to avoid octal readings).</summary>
    private static IPAddress? DottedQuad(ReadOnlySpan<byte> text)
    {
        Span<Range> parts = stackalloc Range[5];
        if (Split(text, (byte)'.', parts) != 4) return null;
        Span<byte> octets = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var n = Decimal(text[parts[i]], 3);
            if (n is < 0 or > 255) return null;
            octets[i] = (byte)n;
        }
        return new IPAddress(octets);
    }

    private static int Port(ReadOnlySpan<byte> text)
    {
        var n = Decimal(text, 5);
        return n > 65535 ? -1 : n;
    }

    /// <summary>A non-negative decimal of at most maxDigits digits, no sign, no leading zero; -1 otherwise.</summary>
    private static int Decimal(ReadOnlySpan<byte> text, int maxDigits)
    {
        if (text.IsEmpty || text.Length > maxDigits) return -1;
        if (text.Length > 1 && text[0] == (byte)'0') return -1;
        var n = 0;
        foreach (var b in text)
        {
            if (!char.IsAsciiDigit((char)b)) return -1;
            n = n * 10 + (b - '0');
        }
        return n;
    }

    /// <summary>Splits at every separator into at most parts.Length pieces; returns parts.Length + 1 when there are more.</summary>
    private static int Split(ReadOnlySpan<byte> text, byte separator, Span<Range> parts)
    {
        var count = 0;
        foreach (var range in text.Split(separator))
        {
            if (count == parts.Length) return count + 1;
            parts[count++] = range;
        }
        return count;
    }

    private static ProxyHeader? Bad(string why, out string? reason)
    {
        reason = why;
        return null;
    }

    private static ParseResult<ProxyHeader> Fail(string reason) => ParseResult<ProxyHeader>.Invalid("PROXY v1: " + reason);
}
