using System.Buffers;
using System.IO.Pipelines;

namespace Proxy.Tests.Servers.Common;

/// <summary>
/// Two ends of a connection made of pipes, no sockets (as Kestrel's InMemoryConnection): what one
/// end writes the other reads; completing an end's output (<see cref="DuplexPipeStream.CompleteWrites"/>)
/// is a half-close, and disposing it closes both directions.
/// </summary>
internal static class InMemoryConnection
{
    public static (DuplexPipeStream A, DuplexPipeStream B) Create()
    {
        var ab = new Pipe();
        var ba = new Pipe();
        return (new DuplexPipeStream(ba.Reader, ab.Writer), new DuplexPipeStream(ab.Reader, ba.Writer));
    }
}

/// <summary>One end of an <see cref="InMemoryConnection"/>.</summary>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    private int _writesDone;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (true)
        {
            ReadResult r;
            try
            {
                r = await input.ReadAsync(ct);
            }
            catch (InvalidOperationException)
            {
                return 0; // this end was disposed
            }
            if (r.IsCanceled) throw new OperationCanceledException(ct);
            var data = r.Buffer;
            if (data.IsEmpty && r.IsCompleted)
            {
                input.AdvanceTo(data.End);
                return 0;
            }
            if (buffer.IsEmpty && !data.IsEmpty)
            {
                input.AdvanceTo(data.Start); // a zero-byte read: data is there, leave it
                return 0;
            }
            var n = (int)Math.Min(buffer.Length, data.Length);
            var take = data.Slice(0, n);
            take.CopyTo(buffer.Span);
            input.AdvanceTo(take.End);
            return n;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        if (Volatile.Read(ref _writesDone) != 0) throw new IOException("the connection is closed for writing");
        var result = await output.WriteAsync(buffer, ct);
        if (result.IsCompleted) throw new IOException("the peer closed the connection");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>A half-close: the peer reads the end of the stream, this end can still read.</summary>
    public void CompleteWrites()
    {
        if (Interlocked.Exchange(ref _writesDone, 1) == 0) output.Complete();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CompleteWrites();
            input.Complete();
        }
        base.Dispose(disposing);
    }
}
