using System.Text;
using Proxy.Actors.Protocols.Inspect;

namespace Proxy.Tests.Protocols.Inspect;

public sealed class ProtocolRecognizerTests
{
    private static readonly RecognizeLimits Limits = new();

    private static Recognition Client(string text) => ProtocolRecognizer.FromClient(Encoding.ASCII.GetBytes(text), Limits);
    private static Recognition Server(string text, params string[] hint) => ProtocolRecognizer.FromServer(Encoding.ASCII.GetBytes(text), Limits, hint);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", InspectedProtocol.Http1)]
    [InlineData("OPTIONS * HTTP/1.0\r\n", InspectedProtocol.Http1)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", InspectedProtocol.Http2)]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n", InspectedProtocol.Ssh)]
    [InlineData("\u0013BitTorrent protocol\0\0\0\0\0\0\0\0", InspectedProtocol.BitTorrent)]
    public void ClientFirst_Recognised(string first, InspectedProtocol expected)
    {
        Assert.Equal(Recognition.Found(expected), Client(first));
    }

    [Fact]
    public void ClientHelloRecordHeader_IsTls()
    {
        Assert.Equal(Recognition.Found(InspectedProtocol.Tls), ProtocolRecognizer.FromClient([0x16, 0x03, 0x01, 0x02, 0x00, 0x01], Limits));
    }

    [Theory]
    [InlineData("GE")]
    [InlineData("GET /index.html")]
    [InlineData("PRI * HTTP/2.0\r\n")]
    [InlineData("SSH")]
    public void ClientFirst_Partial_AsksForMore(string first)
    {
        Assert.True(Client(first).NeedMore);
    }

    [Theory]
    [InlineData("BLAH / HTTP/1.1\r\n")]
    [InlineData("GET /x FTP/1.0\r\n")]
    [InlineData("hello world")]
    public void ClientFirst_Unknown(string first)
    {
        Assert.Equal(Recognition.Unknown, Client(first));
    }

    [Fact]
    public void HttpTargetLongerThanTheLimit_IsNotHttp()
    {
        Assert.Equal(Recognition.Unknown, Client("GET /" + new string('a', Limits.HttpRequestUri + 1) + " HTTP/1.1\r\n"));
    }

    [Theory]
    [InlineData("SSH-2.0-srv\r\n", InspectedProtocol.Ssh)]
    [InlineData("220 mail.example.com ESMTP ready\r\n", InspectedProtocol.Smtp)]
    [InlineData("220 (vsFTPd 3.0.5)\r\n", InspectedProtocol.Ftp)]
    [InlineData("554 no service\r\n", InspectedProtocol.Smtp)]
    [InlineData("+OK POP3 ready\r\n", InspectedProtocol.Pop3)]
    [InlineData("* OK [CAPABILITY IMAP4rev1] ready\r\n", InspectedProtocol.Imap)]
    [InlineData("200 news.example.com ready\r\n", InspectedProtocol.Nntp)]
    [InlineData("INFO {\"server_id\":\"x\"}\r\n", InspectedProtocol.Nats)]
    public void ServerFirst_Recognised(string greeting, InspectedProtocol expected)
    {
        Assert.Equal(Recognition.Found(expected), Server(greeting));
    }

    [Fact]
    public void Greeting220_FollowsThePortHint()
    {
        Assert.Equal(Recognition.Found(InspectedProtocol.Ftp), Server("220 welcome\r\n", "ftp"));
        Assert.Equal(Recognition.Found(InspectedProtocol.Smtp), Server("220 welcome\r\n"));
    }

    [Fact]
    public void ServerGreetingWithoutLineEnd_AsksForMore_ThenGivesUpAtTheLimit()
    {
        Assert.True(Server("220 still typing").NeedMore);
        Assert.Equal(Recognition.Unknown, Server("999 " + new string('x', 2000)));
    }
}
