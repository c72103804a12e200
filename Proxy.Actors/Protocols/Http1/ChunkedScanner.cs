using System.Buffers;

namespace Proxy.Actors.Protocols.Http1;

public enum ChunkScan { NeedMore, Done, Invalid }

/// <summary>
/// Finds where a chunked body ends (RFC 9112 section 7.1) without copying it: size lines,
/// data, CRLFs, trailers. Keeps its state between buffers; pure, so tests feed it bytes.
/// </summary>
public sealed class ChunkedScanner(int maxLineLength)
{
    private enum State { Size, Data, DataEnd, Trailer, Done }

    private const int MaxTrailerBytes = 64 * 1024;
    private State _state = State.Size;
    private long _remaining;
    private long _trailerBytes;

    /// <summary>
    /// Scans <paramref name="buffer"/>; <paramref name="end"/> is how far the body reaches in it.
    /// When <paramref name="dataSlices"/> is given, the chunk payloads are added to it (decoding).
    /// </summary>
    public ChunkScan Scan(in ReadOnlySequence<byte> buffer, List<ReadOnlySequence<byte>>? dataSlices, out SequencePosition end)
    {
        var reader = new SequenceReader<byte>(buffer);
        try
        {
            while (_state != State.Done)
            {
                if (_state == State.Data)
                {
                    var take = Math.Min(_remaining, reader.Remaining);
                    if (take == 0) return ChunkScan.NeedMore;
                    dataSlices?.Add(buffer.Slice(reader.Position, take));
                    reader.Advance(take);
                    _remaining -= take;
                    if (_remaining == 0) _state = State.DataEnd;
                    continue;
                }
                if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
                    return reader.Remaining > maxLineLength ? ChunkScan.Invalid : ChunkScan.NeedMore;
                if (line.Length > maxLineLength) return ChunkScan.Invalid;
                switch (_state)
                {
                    case State.Size:
                        if (!TryParseChunkSize(line, out _remaining)) return ChunkScan.Invalid;
                        _state = _remaining == 0 ? State.Trailer : State.Data;
                        break;
                    case State.DataEnd:
                        if (!IsBlank(line)) return ChunkScan.Invalid;
                        _state = State.Size;
                        break;
                    case State.Trailer:
                        _trailerBytes += line.Length + 1;
                        if (_trailerBytes > MaxTrailerBytes) return ChunkScan.Invalid;
                        if (IsBlank(line)) _state = State.Done;
                        break;
                }
            }
            return ChunkScan.Done;
        }
        finally
        {
            end = reader.Position;
        }
    }

    /// <summary>chunk-size [; ext] with the CR of CRLF still on the line.</summary>
    internal static bool TryParseChunkSize(ReadOnlySequence<byte> line, out long size)
    {
        size = 0;
        Span<byte> tmp = stackalloc byte[64];
        var len = (int)Math.Min(line.Length, tmp.Length);
        line.Slice(0, len).CopyTo(tmp);
        var s = tmp[..len];
        if (s.Length > 0 && s[^1] == (byte)'\r') s = s[..^1];
        var semi = s.IndexOf((byte)';');
        if (semi >= 0) s = s[..semi];
        s = s.TrimEnd(" \t"u8);
        if (s.IsEmpty || s.Length > 15) return false;
        foreach (var b in s)
        {
            int d = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (d < 0) return false;
            size = size * 16 + d;
        }
        return true;
    }

    private static bool IsBlank(ReadOnlySequence<byte> line) =>
        line.Length == 0 || (line.Length == 1 && line.FirstSpan[0] == (byte)'\r');

}
