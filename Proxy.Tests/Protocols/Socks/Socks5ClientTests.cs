using System.Buffers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;

namespace Proxy.Tests.Protocols.Socks;

public class Socks5ClientTests
{
    private static byte[] Written(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Greeting_ByteExact_AndServerReadsIt()
    {
        var bytes = Written(b => Socks5ClientWriter.WriteGreeting(b, [Socks5AuthMethod.NoAuth, Socks5AuthMethod.UsernamePassword]));
        Assert.Equal("05020002", Convert.ToHexString(bytes));
        Assert.Equal([0, 2], Socks5ServerParser.ParseGreeting(new ReadOnlySequence<byte>(bytes)).Value!.Methods);
    }

    [Fact]
    public void Credentials_ByteExact_AndServerReadsIt()
    {
        var bytes = Written(b => Socks5ClientWriter.WriteCredentials(b, "alice", "secret"));
        Assert.Equal("0105616C69636506736563726574", Convert.ToHexString(bytes));
        Assert.Equal(new Socks5Credentials("alice", "secret"), Socks5ServerParser.ParseCredentials(new ReadOnlySequence<byte>(bytes)).Value);
    }

    [Fact]
    public void Credentials_OutOfRange_AreCallerBugs()
    {
        Assert.Throws<ArgumentException>(() => Written(b => Socks5ClientWriter.WriteCredentials(b, "", "x")));
        Assert.Throws<ArgumentException>(() => Written(b => Socks5ClientWriter.WriteCredentials(b, new string('u', 256), "x")));
        Assert.Throws<ArgumentException>(() => Written(b => Socks5ClientWriter.WriteCredentials(b, "u", new string('p', 256))));
    }

    [Theory]
    [InlineData(1, "example.com", 443, "050100030B6578616D706C652E636F6D01BB")]
    [InlineData(1, "192.168.0.1", 80, "05010001C0A800010050")]
    [InlineData(3, "0.0.0.0", 0, "05030001000000000000")]
    [InlineData(1, "2001:db8::1", 443, "0501000420010DB800000000000000000000000101BB")]
    [InlineData(1, "[2001:db8::1]", 443, "0501000420010DB800000000000000000000000101BB")]
    public void Request_ByteExact_AndServerReadsIt(byte command, string host, int port, string hex)
    {
        var bytes = Written(b => Socks5ClientWriter.WriteRequest(b, (Socks5Command)command, new UpstreamAddr(host, port)));
        Assert.Equal(hex, Convert.ToHexString(bytes));
        var back = Socks5ServerParser.ParseRequest(new ReadOnlySequence<byte>(bytes)).Value!;
        Assert.Equal((Socks5Command)command, back.Command);
        Assert.Equal(new UpstreamAddr(host.Trim('[', ']'), port), back.Target);
    }

    [Fact]
    public void Request_DomainOver255Bytes_IsACallerBug() =>
        Assert.Throws<ArgumentException>(() => Written(b => Socks5ClientWriter.WriteRequest(b, Socks5Command.Connect, new UpstreamAddr(new string('a', 256), 1))));

    [Fact]
    public void MethodSelection_Parsed()
    {
        Assert.Equal(Socks5AuthMethod.UsernamePassword, Socks5ClientParser.ParseMethodSelection(new ReadOnlySequence<byte>([5, 2])).Value);
        Assert.Equal(Socks5AuthMethod.NoAcceptable, Socks5ClientParser.ParseMethodSelection(new ReadOnlySequence<byte>([5, 0xFF])).Value);
        Assert.Equal(ParseStatus.NeedMore, Socks5ClientParser.ParseMethodSelection(new ReadOnlySequence<byte>([5])).Status);
        Assert.Contains("version 4", Socks5ClientParser.ParseMethodSelection(new ReadOnlySequence<byte>([4, 0])).Reason);
    }

    [Fact]
    public void CredentialsReply_Parsed()
    {
        Assert.True(Socks5ClientParser.ParseCredentialsReply(new ReadOnlySequence<byte>([1, 0])).Value);
        Assert.False(Socks5ClientParser.ParseCredentialsReply(new ReadOnlySequence<byte>([1, 1])).Value);
        Assert.Equal(ParseStatus.NeedMore, Socks5ClientParser.ParseCredentialsReply(new ReadOnlySequence<byte>([1])).Status);
        Assert.Equal(ParseStatus.Invalid, Socks5ClientParser.ParseCredentialsReply(new ReadOnlySequence<byte>([5, 0])).Status);
    }

    [Theory]
    [InlineData(0x00, "10.0.0.1", 1080)]
    [InlineData(0x05, "0.0.0.0", 0)]
    [InlineData(0x00, "::1", 8080)]
    [InlineData(0x00, "relay.example", 1080)]
    [InlineData(0x2A, "0.0.0.0", 0)]
    public void Reply_RoundTrip_OneByteAtATime(byte code, string host, int port)
    {
        var bytes = Written(b => Socks5ServerWriter.WriteReply(b, (Socks5ReplyCode)code, new UpstreamAddr(host, port)));
        var (prefixes, whole) = Segments.Drip(bytes, b => Socks5ClientParser.ParseReply(b));
        Assert.All(prefixes, p => Assert.Equal(ParseStatus.NeedMore, p.Status));
        Assert.Equal(new Socks5Reply((Socks5ReplyCode)code, new UpstreamAddr(host, port)), whole.Value);
        Assert.Equal(bytes.Length, whole.Consumed);
    }

    [Fact]
    public void Reply_BadAddressType_Refused()
    {
        var r = Socks5ClientParser.ParseReply(new ReadOnlySequence<byte>(Convert.FromHexString("05000007")));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains("address type 0x07", r.Reason);
    }
}
