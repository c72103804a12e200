using System.Buffers;
using System.Net;
using System.Text;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.ProxyProtocol;

namespace Proxy.Tests.Protocols.ProxyProtocol;

public class ProxyProtocolV1Tests
{
    private static ParseResult<ProxyHeader> Parse(string text) =>
        ProxyProtocolV1Parser.Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Tcp4_Parsed_WithConsumedUpToCrlf()
    {
        var r = Parse("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(47, r.Consumed);
        var h = r.Value!;
        Assert.Equal(1, h.Version);
        Assert.Equal(ProxyFamily.Inet, h.Family);
        Assert.Equal(ProxyTransport.Stream, h.Transport);
        Assert.Equal(IPEndPoint.Parse("192.168.0.1:56324"), h.Source);
        Assert.Equal(IPEndPoint.Parse("192.168.0.11:443"), h.Destination);
        Assert.Empty(h.Tlvs);
    }

    [Fact]
    public void SpecWorstCases_Parsed()
    {
        // The three examples of the spec's section 2.1, the last one exactly 107 bytes.
        var tcp4 = "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
        var tcp6 = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        var unknown = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        Assert.Equal(107, unknown.Length);
        Assert.Equal(tcp4.Length, Parse(tcp4).Consumed);
        var six = Parse(tcp6);
        Assert.Equal(ProxyFamily.Inet6, six.Value!.Family);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 65535), six.Value.Source);
        var u = Parse(unknown);
        Assert.Equal(ParseStatus.Done, u.Status);
        Assert.Equal(107, u.Consumed);
        Assert.Null(u.Value!.Source);
        Assert.Equal(ProxyFamily.Unspec, u.Value.Family);
    }

    [Fact]
    public void Unknown_Bare_Parsed()
    {
        var r = Parse("PROXY UNKNOWN\r\n");
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(15, r.Consumed);
        Assert.Null(r.Value!.Destination);
    }

    [Fact]
    public void OneByteAtATime_NeedMoreUntilTheLf()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 2001:db8::11 56324 443\r\n");
        var (prefixes, whole) = Segments.Drip(bytes, b => ProxyProtocolV1Parser.Parse(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal(ParseStatus.Done, whole.Status);
        Assert.Equal(bytes.Length, whole.Consumed);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::11]:443"), whole.Value!.Destination);
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "CRLF")]
    [InlineData("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "unknown protocol")]
    [InlineData("PROXY UNKNOWNX\r\n", "unknown protocol")]
    [InlineData("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "unknown protocol")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "src dst sport dport")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "src dst sport dport")]
    [InlineData("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "src dst sport dport")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 http 2\r\n", "port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n", "port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "port")]
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "IPv4")]
    [InlineData("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", "IPv4")]
    [InlineData("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", "IPv4")]
    [InlineData("PROXY TCP4 ::1 5.6.7.8 1 2\r\n", "IPv4")]
    [InlineData("PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "IPv6")]
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "IPv6")]
    [InlineData("GET / HTTP/1.1\r\n", "not a PROXY v1")]
    public void Refused_WithReason(string text, string reasonPart)
    {
        var r = Parse(text);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Fact]
    public void NoCrlfWithin107Bytes_Refused_ButShorterWaits()
    {
        var line = "PROXY UNKNOWN " + new string('a', 200);
        Assert.Equal(ParseStatus.NeedMore, Parse(line[..106]).Status);
        var r = Parse(line);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains("107", r.Reason);
        // 106 bytes then CRLF puts the LF at byte 108: one too many.
        Assert.Equal(ParseStatus.Invalid, Parse(line[..106] + "\r\n").Status);
        Assert.Equal(ParseStatus.Done, Parse(line[..105] + "\r\n").Status);
    }

    [Theory]
    [InlineData("192.168.0.1:56324", "192.168.0.11:443", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")]
    [InlineData("[2001:db8::1]:56324", "[2001:db8::11]:443", "PROXY TCP6 2001:db8::1 2001:db8::11 56324 443\r\n")]
    [InlineData("[::ffff:10.0.0.1]:1", "10.0.0.2:2", "PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\n")]
    [InlineData("10.0.0.1:1", "[2001:db8::2]:2", "PROXY TCP6 ::ffff:10.0.0.1 2001:db8::2 1 2\r\n")]
    public void Writer_ByteExact_AndReadsBack(string src, string dst, string expected)
    {
        var bytes = ProxyProtocolV1Writer.Write(IPEndPoint.Parse(src), IPEndPoint.Parse(dst));
        Assert.Equal(expected, Encoding.ASCII.GetString(bytes));
        var r = ProxyProtocolV1Parser.Parse(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(((IPEndPoint)r.Value!.Source!).Port, IPEndPoint.Parse(src).Port);
    }

    [Fact]
    public void WriterUnknown_ReadsBack()
    {
        var bytes = ProxyProtocolV1Writer.WriteUnknown();
        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(bytes));
        Assert.Equal(ProxyFamily.Unspec, ProxyProtocolV1Parser.Parse(new ReadOnlySequence<byte>(bytes)).Value!.Family);
    }
}
