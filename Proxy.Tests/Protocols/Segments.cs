using System.Buffers;

namespace Proxy.Tests.Protocols;

/// <summary>Builds multi-segment sequences, so codecs are tested on the fragmented input a pipe hands them.</summary>
internal static class Segments
{
    /// <summary>The bytes as a sequence of segments of the given size (1 = one byte per segment).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentSize = 1)
    {
        if (bytes.Length == 0) return ReadOnlySequence<byte>.Empty;
        Segment? first = null, last = null;
        for (var i = 0; i < bytes.Length; i += segmentSize)
        {
            var chunk = bytes.AsMemory(i, Math.Min(segmentSize, bytes.Length - i));
            if (first is null) first = last = new Segment(chunk, 0);
            else last = last!.Append(chunk);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>Feeds the bytes one more at a time (each prefix split into 1-byte segments) and returns every
    /// result before the last, plus the last; a parser that answers early or late fails the caller's asserts.</summary>
    public static (List<TResult> Prefixes, TResult Whole) Drip<TResult>(byte[] bytes, Func<ReadOnlySequence<byte>, TResult> parse)
    {
        var prefixes = new List<TResult>();
        for (var n = 0; n < bytes.Length; n++) prefixes.Add(parse(Split(bytes[..n])));
        return (prefixes, parse(Split(bytes)));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
