namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// One side of an inspected stream: the bytes inspection read are read again first, then the inner
/// stream. A fill may still be pending when inspection ends (the side that did not speak first);
/// the first read then waits for it, so no byte is lost or reordered. The inner stream is not owned.
/// </summary>
internal sealed class PeekStream(Stream inner, int initialSize, int maxSize) : Stream
{
    private byte[] _buffer = new byte[initialSize];
    private int _start;
    private int _end;
    private Task<int>? _pending;

    public Stream Inner => inner;

    /// <summary>What has been read and not yet handed on.</summary>
    public ReadOnlyMemory<byte> Buffered => _buffer.AsMemory(_start, _end - _start);

    /// <summary>The buffer cannot take more (the caller's bound on how much inspection reads).</summary>
    public bool Full => _end - _start >= maxSize;

    public bool SawEnd { get; private set; }

    /// <summary>
    /// Reads more behind <see cref="Buffered"/> (0 at the end of the stream). The read is never
    /// cancelled: a caller that stops waiting leaves it pending, and the next read takes its bytes.
    /// </summary>
    public Task<int> FillAsync()
    {
        // A finished fill has already added its bytes: the next call reads more.
        if (_pending is { IsCompletedSuccessfully: true }) _pending = null;
        return _pending ??= FillCoreAsync();
    }

    private async Task<int> FillCoreAsync()
    {
        if (_end == _buffer.Length)
        {
            var grown = new byte[Math.Min(Math.Max(_buffer.Length * 2, 1024), Math.Max(maxSize, _buffer.Length + 1))];
            Buffer.BlockCopy(_buffer, _start, grown, 0, _end - _start);
            _end -= _start;
            _start = 0;
            _buffer = grown;
        }
        var n = await inner.ReadAsync(_buffer.AsMemory(_end), CancellationToken.None).ConfigureAwait(false);
        _end += n;
        if (n == 0) SawEnd = true;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_pending is { } pending)
        {
            await pending.WaitAsync(ct).ConfigureAwait(false);
            _pending = null;
        }
        if (_start == _end) return await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
        if (buffer.IsEmpty) return 0; // a zero-byte read: data is ready
        var n = Math.Min(buffer.Length, _end - _start);
        _buffer.AsMemory(_start, n).CopyTo(buffer);
        _start += n;
        if (_start == _end)
        {
            // the inspection buffer is not kept for the rest of a long tunnel
            _buffer = [];
            _start = _end = 0;
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    /// <summary>Only asynchronous reads: the relay and SslStream never read synchronously.</summary>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override bool CanRead => true;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => inner.WriteAsync(buffer, ct);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.WriteAsync(buffer, offset, count, ct);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
