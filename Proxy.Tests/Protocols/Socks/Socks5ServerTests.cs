using System.Buffers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;

namespace Proxy.Tests.Protocols.Socks;

public class Socks5ServerTests
{
    private static ReadOnlySequence<byte> Hex(string hex) => new(Convert.FromHexString(hex));

    private static string Written(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Convert.ToHexString(buffer.WrittenSpan);
    }

    [Fact]
    public void Greeting_Parsed_MethodsInOrder()
    {
        var r = Socks5ServerParser.ParseGreeting(Hex("0502020005"));
        Assert.Equal(ParseStatus.Done, r.Status);
        Assert.Equal(4, r.Consumed);
        Assert.Equal([2, 0], r.Value!.Methods);
        Assert.True(r.Value.Offers(Socks5AuthMethod.UsernamePassword));
        Assert.False(r.Value.Offers(Socks5AuthMethod.Gssapi));
    }

    [Theory]
    [InlineData("04", "version 4")]
    [InlineData("0500", "no methods")]
    [InlineData("050200FF", "method 0xFF")]
    public void Greeting_Refused(string hex, string reasonPart)
    {
        var r = Socks5ServerParser.ParseGreeting(Hex(hex));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Fact]
    public void Greeting_CountAheadOfMethods_NeedMore() =>
        Assert.Equal(ParseStatus.NeedMore, Socks5ServerParser.ParseGreeting(Hex("050300")).Status);

    [Fact]
    public void Credentials_Rfc1929_Parsed()
    {
        var bytes = Convert.FromHexString("0105616C69636506736563726574");
        var (prefixes, whole) = Segments.Drip(bytes, b => Socks5ServerParser.ParseCredentials(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal(new Socks5Credentials("alice", "secret"), whole.Value);
        Assert.Equal(bytes.Length, whole.Consumed);
        Assert.DoesNotContain("secret", whole.Value!.ToString());
    }

    [Fact]
    public void Credentials_EmptyPassword_AndUtf8_Accepted()
    {
        var r = Socks5ServerParser.ParseCredentials(Hex("0104C3A96C6900"));
        Assert.Equal(new Socks5Credentials("éli", ""), r.Value);
    }

    [Theory]
    [InlineData("0505616C696365", "version 5")]
    [InlineData("0100", "empty username")]
    [InlineData("0101FF00", "not UTF-8")]
    public void Credentials_Refused(string hex, string reasonPart)
    {
        var r = Socks5ServerParser.ParseCredentials(Hex(hex));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Theory]
    [InlineData("0105616C", "username length ahead of its bytes")]
    [InlineData("0105616C69636506736563", "password length ahead of its bytes")]
    public void Credentials_Short_NeedMore(string hex, string why) =>
        Assert.True(Socks5ServerParser.ParseCredentials(Hex(hex)).Status == ParseStatus.NeedMore, why);

    [Theory]
    [InlineData("050100010A0000010050", 1, "10.0.0.1", 80)]
    [InlineData("050100030B6578616D706C652E636F6D01BB", 1, "example.com", 443)]
    [InlineData("0501000307457841502E434F0050", 1, "exap.co", 80)]
    [InlineData("0501000420010DB800000000000000000000000101BB", 1, "2001:db8::1", 443)]
    [InlineData("05020001000000000000", 2, "0.0.0.0", 0)]
    [InlineData("05030001000000000000", 3, "0.0.0.0", 0)]
    public void Request_Parsed(string hex, byte command, string host, int port)
    {
        var bytes = Convert.FromHexString(hex);
        var (prefixes, whole) = Segments.Drip(bytes, b => Socks5ServerParser.ParseRequest(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal(ParseStatus.Done, whole.Status);
        Assert.Equal(bytes.Length, whole.Consumed);
        Assert.Equal(new Socks5Request((Socks5Command)command, new UpstreamAddr(host.ToLowerInvariant(), port)), whole.Value);
    }

    [Theory]
    [InlineData("04010001", 0x01, "version 4")]
    [InlineData("0504", 0x07, "command 0x04")]
    [InlineData("05000001", 0x07, "command 0x00")]
    [InlineData("05010002", 0x08, "address type 0x02")]
    [InlineData("05010005", 0x08, "address type 0x05")]
    [InlineData("0501000300", 0x01, "empty domain")]
    [InlineData("050100030265200050", 0x01, "printable")]
    [InlineData("050100030265FF0050", 0x01, "printable")]
    public void Request_Refused_WithTheReplyCodeToSend(string hex, int replyCode, string reasonPart)
    {
        var r = Socks5ServerParser.ParseRequest(Hex(hex));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Equal(replyCode, r.Code);
        Assert.Contains(reasonPart, r.Reason);
    }

    [Fact]
    public void Writers_ByteExact()
    {
        Assert.Equal("0502", Written(b => Socks5ServerWriter.WriteMethodSelection(b, Socks5AuthMethod.UsernamePassword)));
        Assert.Equal("05FF", Written(b => Socks5ServerWriter.WriteMethodSelection(b, Socks5AuthMethod.NoAcceptable)));
        Assert.Equal("0100", Written(b => Socks5ServerWriter.WriteCredentialsReply(b, true)));
        Assert.Equal("0101", Written(b => Socks5ServerWriter.WriteCredentialsReply(b, false)));
        Assert.Equal("050000010A0000010438", Written(b => Socks5ServerWriter.WriteReply(b, Socks5ReplyCode.Succeeded, new UpstreamAddr("10.0.0.1", 1080))));
        Assert.Equal("05000004000000000000000000000000000000011F90", Written(b => Socks5ServerWriter.WriteReply(b, Socks5ReplyCode.Succeeded, new UpstreamAddr("::1", 8080))));
        Assert.Equal("05000003046E6F6465FFFF", Written(b => Socks5ServerWriter.WriteReply(b, Socks5ReplyCode.Succeeded, new UpstreamAddr("node", 65535))));
    }

    [Theory]
    [InlineData(0x01, "01")]
    [InlineData(0x02, "02")]
    [InlineData(0x03, "03")]
    [InlineData(0x04, "04")]
    [InlineData(0x05, "05")]
    [InlineData(0x06, "06")]
    [InlineData(0x07, "07")]
    [InlineData(0x08, "08")]
    [InlineData(0x09, "09")]
    public void Failures_WrittenWithUnspecifiedBound(byte code, string hex) =>
        Assert.Equal($"05{hex}0001000000000000", Written(b => Socks5ServerWriter.WriteReply(b, (Socks5ReplyCode)code)));

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var rng = new Random(55);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[rng.Next(0, 300)];
            rng.NextBytes(bytes);
            if (bytes.Length > 3) { bytes[0] = (byte)(i % 3 == 0 ? 1 : 5); bytes[1] = (byte)(1 + i % 3); bytes[3] = (byte)(1 + i % 4); }
            var seq = Segments.Split(bytes, 1 + i % 4);
            foreach (var r in new[] { Socks5ServerParser.ParseRequest(seq).Status, Socks5ServerParser.ParseGreeting(seq).Status, Socks5ServerParser.ParseCredentials(seq).Status })
                Assert.True(Enum.IsDefined(r));
        }
    }
}
