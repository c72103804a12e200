using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Proxy.Control.Wire;

/// <summary>
/// Reads and writes <see cref="ControlFrame"/> lines over a stream (plain TCP or TLS). A line
/// longer than <see cref="MaxFrameBytes"/> is a protocol error, so a peer cannot make us buffer
/// without bound. One reader and one writer at a time.
/// </summary>
internal sealed class FrameChannel : IAsyncDisposable
{
    /// <summary>Large enough for a published escaper or user list; a frame is one JSON line.</summary>
    public const int MaxFrameBytes = 4 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Stream _stream;
    private readonly PipeReader _reader;

    public FrameChannel(Stream stream)
    {
        _stream = stream;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    /// <summary>The next frame, or null when the peer closed the stream.</summary>
    /// <exception cref="InvalidDataException">A line that is too long or not a JSON frame.</exception>
    public async ValueTask<ControlFrame?> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is { } end)
            {
                var line = buffer.Slice(0, end);
                ControlFrame? frame;
                try
                {
                    frame = Parse(line);
                }
                finally
                {
                    _reader.AdvanceTo(buffer.GetPosition(1, end));
                }
                if (frame is not null) return frame;
                continue; // a blank line (someone typing at nc): ignore
            }
            if (buffer.Length > MaxFrameBytes) throw new InvalidDataException($"control frame longer than {MaxFrameBytes} bytes");
            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.End);
                if (buffer.Length == 0) return null;
                throw new InvalidDataException("control stream ended inside a frame");
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static ControlFrame? Parse(ReadOnlySequence<byte> line)
    {
        if (line.Length > MaxFrameBytes) throw new InvalidDataException($"control frame longer than {MaxFrameBytes} bytes");
        var bytes = line.ToArray();
        if (bytes.AsSpan().Trim(" \r\t"u8).IsEmpty) return null;
        try
        {
            return JsonSerializer.Deserialize<ControlFrame>(bytes, Json) ?? throw new InvalidDataException("control frame is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("control frame is not JSON: " + e.Message, e);
        }
    }

    public async ValueTask WriteAsync(ControlFrame frame, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, Json);
        await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        await _stream.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
