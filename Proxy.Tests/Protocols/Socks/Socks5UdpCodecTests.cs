using System.Buffers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;

namespace Proxy.Tests.Protocols.Socks;

public class Socks5UdpCodecTests
{
    [Fact]
    public void Header_Parsed_DataFollows()
    {
        var datagram = Convert.FromHexString("0000000108080808003561626364");
        var r = Socks5UdpCodec.Parse(datagram);
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(10, r.Consumed);
        Assert.Equal(new Socks5UdpHeader(0, new UpstreamAddr("8.8.8.8", 53)), r.Value);
        Assert.False(r.Value!.IsFragment);
        Assert.Equal("abcd"u8.ToArray(), datagram[(int)r.Consumed..]);
    }

    [Fact]
    public void Fragment_ReportedForTheCallerToDrop()
    {
        var r = Socks5UdpCodec.Parse(Convert.FromHexString("0000810303646E73003501"));
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.True(r.Value!.IsFragment);
        Assert.Equal(0x81, r.Value.Fragment);
        Assert.Equal(new UpstreamAddr("dns", 53), r.Value.Target);
    }

    [Theory]
    [InlineData("000000", "shorter than a SOCKS5 UDP header")]
    [InlineData("0100000108080808", "reserved")]
    [InlineData("0000000108080808", "shorter than its address")]
    [InlineData("000000030564", "shorter than its address")]
    [InlineData("0000000208080808", "address type 0x02")]
    public void Refused(string hex, string reasonPart)
    {
        var r = Socks5UdpCodec.Parse(Convert.FromHexString(hex));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Theory]
    [InlineData("8.8.4.4", 53)]
    [InlineData("2001:4860:4860::8888", 53)]
    [InlineData("dns.google", 853)]
    public void RoundTrip(string host, int port)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Socks5UdpCodec.Write(buffer, new UpstreamAddr(host, port), "payload"u8);
        var datagram = buffer.WrittenMemory;
        var r = Socks5UdpCodec.Parse(datagram);
        Assert.Equal(new Socks5UdpHeader(0, new UpstreamAddr(host, port)), r.Value);
        Assert.Equal("payload"u8.ToArray(), datagram[(int)r.Consumed..].ToArray());
    }
}
