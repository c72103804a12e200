using System.IO.Pipelines;

namespace Proxy.Actors.Protocols.Smtp;

/// <summary>
/// SMTP DATA (RFC 5321 section 4.5.2) as the mail it carries, read straight off the client's pipe:
/// the dot-stuffing undone, the stream ending at the terminating "." line, nothing after it taken.
/// This is the body g3 sends an ICAP server for a mail. The whole read is bounded by
/// <c>limit</c> (data_termination_timeout); a client that leaves mid-mail or stalls makes reads throw.
/// </summary>
internal sealed class SmtpDataDecoder : Stream
{
    // Line states: 0 mid-line, 1 saw CR, 2 at a line start, 3 "." at a line start, 4 then CR, 5 the end.
    private int _state = 2;
    private int _pending = -1;
    private readonly PipeReader _reader;
    private readonly CancellationTokenSource _limit;

    public SmtpDataDecoder(PipeReader reader, TimeSpan limit, TimeProvider time)
    {
        _reader = reader;
        _limit = new CancellationTokenSource(limit, time);
    }

    /// <summary>True once the terminating line was read.</summary>
    public bool Ended => _state == 5 && _pending < 0;
    /// <summary>Bytes taken off the client's pipe (the wire form, terminator included).</summary>
    public long WireBytes { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (buffer.IsEmpty) return 0;
        var written = 0;
        if (_pending >= 0)
        {
            buffer.Span[written++] = (byte)_pending;
            _pending = -1;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _limit.Token);
        while (written == 0 && _state != 5)
        {
            ReadResult r;
            try
            {
                r = await _reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new IOException("smtp: mail data not ended within data_termination_timeout");
            }
            var used = 0L;
            foreach (var segment in r.Buffer)
            {
                var (took, wrote) = Decode(segment.Span, buffer.Span[written..]);
                used += took;
                written += wrote;
                if (took < segment.Length) break;
            }
            _reader.AdvanceTo(r.Buffer.GetPosition(used));
            WireBytes += used;
            if (written == 0 && _state != 5 && r.IsCompleted) throw new IOException("smtp: the client closed in the middle of the mail");
        }
        return written;
    }

    /// <summary>Decodes until the input or the room runs out, or the terminator; how many bytes it took and wrote.</summary>
    private (int Took, int Wrote) Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var i = 0;
        var o = 0;
        // Two bytes of room: a "." line start that was not the terminator may give back a CR with the byte after it.
        while (i < input.Length && _state != 5 && _pending < 0 && o < output.Length)
        {
            var b = input[i++];
            switch (_state)
            {
                case 2 when b == '.':
                    _state = 3;
                    continue;
                case 3 when b == '\r':
                    _state = 4;
                    continue;
                case 4 when b == '\n':
                    _state = 5;
                    continue;
                case 4:
                    // ".\rX": the dot was stuffing; the CR is content.
                    output[o++] = (byte)'\r';
                    if (o == output.Length) { _pending = b; _state = b == '\r' ? 1 : 0; continue; }
                    break;
            }
            output[o++] = b;
            _state = b == '\r' ? 1 : _state == 1 && b == '\n' ? 2 : 0;
        }
        return (i, o);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _limit.Dispose();
        base.Dispose(disposing);
    }
}
