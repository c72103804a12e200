using System.Text;
using Proxy.Control.Host;
using Proxy.Control.Wire;

namespace Proxy.Tests.Control;

public sealed class FrameChannelTests
{
    [Fact]
    public async Task Frames_RoundTrip_AsOneJsonLineEach()
    {
        var wire = new MemoryStream();
        await using (var writer = new FrameChannel(new NonClosing(wire)))
        {
            await writer.WriteAsync(ControlFrame.Hello("t0ken"), CancellationToken.None);
            await writer.WriteAsync(ControlFrame.Request(7, ["server", "http", "status"]), CancellationToken.None);
        }
        var text = Encoding.UTF8.GetString(wire.ToArray());
        Assert.Equal(2, text.Count(c => c == '\n'));
        Assert.StartsWith("{\"type\":\"hello\",\"version\":1,\"token\":\"t0ken\"}\n", text);

        wire.Position = 0;
        await using var reader = new FrameChannel(wire);
        Assert.Equal("t0ken", (await reader.ReadAsync(CancellationToken.None))!.Token);
        var request = (await reader.ReadAsync(CancellationToken.None))!;
        Assert.Equal((7L, "server http status"), (request.Id!.Value, string.Join(' ', request.Words!)));
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task NotJson_And_Oversized_AreProtocolErrors()
    {
        await using var garbage = new FrameChannel(new MemoryStream(Encoding.UTF8.GetBytes("hello there\n")));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await garbage.ReadAsync(CancellationToken.None));

        var huge = new byte[FrameChannel.MaxFrameBytes + 10];
        Array.Fill(huge, (byte)'a');
        await using var oversized = new FrameChannel(new MemoryStream(huge));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await oversized.ReadAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("127.0.0.1:9110", true)]
    [InlineData("localhost:1", true)]
    [InlineData("[::1]:9110", true)]
    [InlineData("list", false)]
    [InlineData("host.example:9110", false)]
    [InlineData("127.0.0.1:70000", false)]
    public void Endpoint_Parse(string text, bool ok) => Assert.Equal(ok, ControlEndpoint.TryParse(text, out _));

    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
