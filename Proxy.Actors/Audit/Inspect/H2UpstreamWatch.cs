using System.Buffers.Binary;

namespace Proxy.Actors.Audit.Inspect;

/// <summary>
/// The plaintext of the intercepted h2 connection to the real server, as SocketsHttpHandler reads it
/// (its PlaintextStreamFilter): passed through untouched while the frame headers are followed, so the
/// interception knows when the server's connection preface (its first SETTINGS frame) has arrived,
/// which ends the h2 handshake upstream_handshake_timeout bounds, and what
/// SETTINGS_MAX_CONCURRENT_STREAMS the server allows (<see cref="H2StreamSlots"/>).
/// </summary>
internal sealed class H2UpstreamWatch : Stream
{
    private const int FrameHeaderSize = 9;
    private const byte SettingsFrame = 0x4;
    private const byte AckFlag = 0x1;
    private const ushort MaxConcurrentStreams = 0x3;

    private readonly Stream _inner;
    private readonly H2StreamSlots _slots;
    private readonly TaskCompletionSource<bool> _preface = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _header = new byte[FrameHeaderSize];
    private readonly byte[] _setting = new byte[6];
    private int _headerFill;
    private int _payloadLeft;
    private bool _inSettings;
    private int _settingFill;

    public H2UpstreamWatch(Stream inner, H2StreamSlots slots)
    {
        _inner = inner;
        _slots = slots;
    }

    /// <summary>True once the server's first frame, a SETTINGS frame, has fully arrived; false if the connection ended or began otherwise.</summary>
    public Task<bool> Preface => _preface.Task;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _preface.TrySetResult(false);
            throw;
        }
        // A zero-byte read of an empty buffer is a wait for data, not the end of the stream.
        if (!buffer.IsEmpty) Observe(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = _inner.Read(buffer, offset, count);
        if (count > 0) Observe(buffer.AsSpan(offset, n));
        return n;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _preface.TrySetResult(false);
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _preface.TrySetResult(false);
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Follows the frames in what was just read (empty: the end of the stream): headers counted out, SETTINGS payloads read, other payloads skipped.</summary>
    internal void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            _preface.TrySetResult(false);
            return;
        }
        while (!data.IsEmpty)
        {
            if (_payloadLeft == 0)
            {
                var take = Math.Min(FrameHeaderSize - _headerFill, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerFill));
                _headerFill += take;
                data = data[take..];
                if (_headerFill < FrameHeaderSize) return;
                _headerFill = 0;
                StartFrame();
                continue;
            }
            var n = Math.Min(_payloadLeft, data.Length);
            if (_inSettings) ReadSettings(data[..n]);
            data = data[n..];
            _payloadLeft -= n;
            if (_payloadLeft == 0) EndFrame();
        }
    }

    private void StartFrame()
    {
        var length = (_header[0] << 16) | (_header[1] << 8) | _header[2];
        var type = _header[3];
        // RFC 9113 3.4: the server's preface is a SETTINGS frame, and it comes first.
        if (type != SettingsFrame && !_preface.Task.IsCompleted) _preface.TrySetResult(false);
        _inSettings = type == SettingsFrame && (_header[4] & AckFlag) == 0;
        _settingFill = 0;
        _payloadLeft = length;
        if (length == 0) EndFrame();
    }

    private void ReadSettings(ReadOnlySpan<byte> payload)
    {
        while (!payload.IsEmpty)
        {
            var take = Math.Min(_setting.Length - _settingFill, payload.Length);
            payload[..take].CopyTo(_setting.AsSpan(_settingFill));
            _settingFill += take;
            payload = payload[take..];
            if (_settingFill < _setting.Length) return;
            _settingFill = 0;
            if (BinaryPrimitives.ReadUInt16BigEndian(_setting) == MaxConcurrentStreams)
                _slots.SetLimit(BinaryPrimitives.ReadUInt32BigEndian(_setting.AsSpan(2)));
        }
    }

    private void EndFrame()
    {
        if (_inSettings) _preface.TrySetResult(true);
        _inSettings = false;
    }
}
