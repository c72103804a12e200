using System.IO.Pipelines;
using Proxy.Actors.Audit.Inspect;

namespace Proxy.Tests.Audit.Inspect;

public sealed class PeekStreamTests
{
    private static async Task<byte[]> ReadAllAsync(Stream s)
    {
        var all = new MemoryStream();
        var buf = new byte[3];
        int n;
        while ((n = await s.ReadAsync(buf)) > 0) all.Write(buf, 0, n);
        return all.ToArray();
    }

    [Fact]
    public async Task InspectedBytes_AreReadAgainFirst_ThenTheRest()
    {
        var pipe = new Pipe();
        var peek = new PeekStream(pipe.Reader.AsStream(), 16, 64);
        await pipe.Writer.WriteAsync("GET / "u8.ToArray());
        Assert.True(await peek.FillAsync() > 0);
        Assert.Equal("GET / "u8.ToArray(), peek.Buffered.ToArray());
        await pipe.Writer.WriteAsync("HTTP/1.1"u8.ToArray());
        await pipe.Writer.CompleteAsync();

        Assert.Equal("GET / HTTP/1.1"u8.ToArray(), await ReadAllAsync(peek));
    }

    [Fact]
    public async Task AFillStillPending_IsTakenByTheFirstRead_NothingLostOrReordered()
    {
        var pipe = new Pipe();
        var peek = new PeekStream(pipe.Reader.AsStream(), 16, 16);
        var pending = peek.FillAsync();
        Assert.False(pending.IsCompleted);
        var read = ReadAllAsync(peek);
        await pipe.Writer.WriteAsync("late greeting\r\n"u8.ToArray());
        await pipe.Writer.WriteAsync("more"u8.ToArray());
        await pipe.Writer.CompleteAsync();

        Assert.Equal("late greeting\r\nmore"u8.ToArray(), await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TheBufferStopsAtItsBound()
    {
        var pipe = new Pipe();
        var peek = new PeekStream(pipe.Reader.AsStream(), 4, 8);
        await pipe.Writer.WriteAsync(new byte[20]);
        while (!peek.Full) Assert.True(await peek.FillAsync().WaitAsync(TimeSpan.FromSeconds(10)) > 0);
        Assert.InRange(peek.Buffered.Length, 8, 16);
    }
}
