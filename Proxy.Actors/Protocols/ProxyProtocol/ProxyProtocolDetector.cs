using System.Buffers;

namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>Tells a v1 ("PROXY ") from a v2 (12-byte signature) header, or neither, from the first bytes.</summary>
internal static class ProxyProtocolDetector
{
    /// <summary>The v2 signature: CR LF CR LF NUL CR LF "QUIT" LF.</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>The v1 preamble, including its single space.</summary>
    public static ReadOnlySpan<byte> V1Preamble => "PROXY "u8;

    public static ProxyProtocolDetection Detect(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[12];
        var n = (int)Math.Min(buffer.Length, head.Length);
        buffer.Slice(0, n).CopyTo(head);
        return Detect(head[..n]);
    }

    public static ProxyProtocolDetection Detect(ReadOnlySpan<byte> first)
    {
        if (first.IsEmpty) return ProxyProtocolDetection.NeedMore;
        var v1 = Prefix(first, V1Preamble);
        if (v1 is true) return ProxyProtocolDetection.V1;
        var v2 = Prefix(first, V2Signature);
        if (v2 is true) return ProxyProtocolDetection.V2;
        return v1 is null || v2 is null ? ProxyProtocolDetection.NeedMore : ProxyProtocolDetection.Neither;
    }

    /// <summary>True when first starts with magic, null when it is a shorter prefix of it, else false.</summary>
    private static bool? Prefix(ReadOnlySpan<byte> first, ReadOnlySpan<byte> magic)
    {
        var n = Math.Min(first.Length, magic.Length);
        if (!first[..n].SequenceEqual(magic[..n])) return false;
        return n == magic.Length ? true : null;
    }
}
