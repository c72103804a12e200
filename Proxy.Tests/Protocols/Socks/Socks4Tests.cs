using System.Buffers;
using System.Net;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;

namespace Proxy.Tests.Protocols.Socks;

public class Socks4Tests
{
    // The SOCKS4 protocol document's CONNECT to 66.102.7.99:80 for user "Fred", then a 4a one for example.com.
    private static readonly byte[] Socks4Connect = Convert.FromHexString("04010050426607634672656400");
    private static readonly byte[] Socks4aConnect = Convert.FromHexString("040100500000000146726564006578616D706C652E636F6D00");

    private static ParseResult<Socks4Request> Parse(byte[] bytes) => Socks4RequestParser.Parse(new ReadOnlySequence<byte>(bytes));

    [Fact]
    public void Socks4_Connect_Parsed()
    {
        var r = Parse([.. Socks4Connect, 0x16, 0x03]);
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(Socks4Connect.Length, r.Consumed);
        Assert.Equal(new Socks4Request(Socks4Command.Connect, new UpstreamAddr("66.102.7.99", 80), "Fred", false), r.Value);
    }

    [Fact]
    public void Socks4a_Domain_Parsed()
    {
        var r = Parse(Socks4aConnect);
        Assert.Equal(Socks4aConnect.Length, r.Consumed);
        Assert.Equal(new Socks4Request(Socks4Command.Connect, new UpstreamAddr("example.com", 80), "Fred", true), r.Value);
    }

    [Fact]
    public void EmptyUserId_AndBind_Parsed()
    {
        var r = Parse(Convert.FromHexString("0402BEEF7F00000100"));
        Assert.Equal(new Socks4Request(Socks4Command.Bind, new UpstreamAddr("127.0.0.1", 0xBEEF), "", false), r.Value);
    }

    [Fact]
    public void ZeroIp_IsPlainSocks4_NotA4aMarker()
    {
        var r = Parse(Convert.FromHexString("040100500000000000"));
        Assert.False(r.Value!.IsSocks4a);
        Assert.Equal("0.0.0.0", r.Value.Target.Host);
    }

    [Theory]
    [InlineData(nameof(Socks4Connect))]
    [InlineData(nameof(Socks4aConnect))]
    public void OneByteAtATime_NeedMoreUntilTheLastNul(string which)
    {
        var bytes = which == nameof(Socks4Connect) ? Socks4Connect : Socks4aConnect;
        var (prefixes, whole) = Segments.Drip(bytes, b => Socks4RequestParser.Parse(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal(bytes.Length, whole.Consumed);
    }

    [Theory]
    [InlineData("05010050", "version 5")]
    [InlineData("04030050", "command 0x03")]
    [InlineData("040100500000000146670000", "domain is empty")]
    [InlineData("04010050000000014667006578200100", "not printable")]
    [InlineData("0401005042660763FF00", "user id is not UTF-8")]
    public void Refused_With91(string hex, string reasonPart)
    {
        var r = Parse(Convert.FromHexString(hex));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
        Assert.Equal(91, r.Code);
    }

    [Fact]
    public void UserIdWithoutNul_WaitsUpTo255Bytes_ThenRefused()
    {
        var head = Convert.FromHexString("0401005042660763");
        Assert.Equal(ParseStatus.NeedMore, Parse([.. head, .. Enumerable.Repeat((byte)'u', 255)]).Status);
        Assert.Equal(ParseStatus.Done, Parse([.. head, .. Enumerable.Repeat((byte)'u', 255), 0]).Status);
        var r = Parse([.. head, .. Enumerable.Repeat((byte)'u', 256)]);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains("longer than 255", r.Reason);
    }

    [Fact]
    public void DomainWithoutNul_RefusedPast255Bytes()
    {
        var head = Convert.FromHexString("04010050000000010061");
        Assert.Equal(ParseStatus.NeedMore, Parse([.. head, .. Enumerable.Repeat((byte)'a', 254)]).Status);
        Assert.Equal(ParseStatus.Invalid, Parse([.. head, .. Enumerable.Repeat((byte)'a', 255)]).Status);
    }

    [Theory]
    [InlineData(90, "10.1.2.3:8080", "005A1F900A010203")]
    [InlineData(91, null, "005B000000000000")]
    [InlineData(92, "[::ffff:10.1.2.3]:1", "005C00010A010203")]
    [InlineData(93, "[2001:db8::1]:1", "005D000000000000")]
    public void Reply_ByteExact(byte code, string? bound, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Socks4ReplyWriter.Write(buffer, (Socks4ReplyCode)code, bound is null ? null : IPEndPoint.Parse(bound));
        Assert.Equal(hex, Convert.ToHexString(buffer.WrittenSpan));
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var rng = new Random(44);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[rng.Next(0, 600)];
            rng.NextBytes(bytes);
            if (bytes.Length > 2) { bytes[0] = 4; bytes[1] = (byte)(1 + i % 2); }
            var r = Socks4RequestParser.Parse(Segments.Split(bytes, 1 + i % 3));
            Assert.True(r.Status != ParseStatus.Done || r.Consumed <= bytes.Length);
        }
    }
}
