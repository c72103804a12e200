using System.Buffers;
using System.Text;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Protocols.Http1;

public sealed class ChunkedScannerTests
{
    private static ReadOnlySequence<byte> Bytes(string s) => new(Encoding.Latin1.GetBytes(s));

    [Fact]
    public void WholeBody_EndsAfterTrailers_AndDecodes()
    {
        const string body = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nNEXT";
        var scanner = new ChunkedScanner(8192);
        var slices = new List<ReadOnlySequence<byte>>();

        var seq = Bytes(body);
        var scan = scanner.Scan(seq, slices, out var end);

        Assert.Equal(ChunkScan.Done, scan);
        Assert.Equal(body.Length - "NEXT".Length, seq.Slice(0, end).Length);
        Assert.Equal("hello world", string.Concat(slices.Select(s => Encoding.Latin1.GetString(s.ToArray()))));
    }

    [Fact]
    public void ByteByByte_KeepsStateAcrossBuffers()
    {
        const string body = "a\r\n0123456789\r\n0\r\n\r\n";
        var scanner = new ChunkedScanner(8192);
        var pending = "";
        var done = false;
        foreach (var c in body)
        {
            pending += c;
            var seq = Bytes(pending);
            var scan = scanner.Scan(seq, null, out var end);
            Assert.NotEqual(ChunkScan.Invalid, scan);
            pending = pending[(int)seq.Slice(0, end).Length..];
            done = scan == ChunkScan.Done;
        }
        Assert.True(done);
        Assert.Equal("", pending);
    }

    [Theory]
    [InlineData("zz\r\nabc\r\n")]             // not hex
    [InlineData("3\r\nabcX\r\n")]             // data not followed by CRLF
    [InlineData("10000000000000000\r\n")]     // size overflow
    public void Malformed_IsInvalid(string body) =>
        Assert.Equal(ChunkScan.Invalid, new ChunkedScanner(8192).Scan(Bytes(body), null, out _));

    [Fact]
    public void OverlongSizeLine_IsInvalid() =>
        Assert.Equal(ChunkScan.Invalid, new ChunkedScanner(16).Scan(Bytes(new string('1', 40)), null, out _));
}
