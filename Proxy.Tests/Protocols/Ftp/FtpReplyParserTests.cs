using System.Buffers;
using System.Net;
using System.Text;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Ftp;

namespace Proxy.Tests.Protocols.Ftp;

public sealed class FtpReplyParserTests
{
    private static ParseResult<FtpReply> Parse(string text, int maxLine = 2048, int maxLines = 128) =>
        FtpReplyParser.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), maxLine, maxLines);

    [Fact]
    public void SingleLine_GivesCodeAndText_AndConsumesOnlyItsLine()
    {
        var r = Parse("227 Entering Passive Mode (127,0,0,1,4,1).\r\n150 next");
        Assert.True(r.IsDone);
        Assert.Equal(227, r.Value!.Code);
        Assert.Equal("Entering Passive Mode (127,0,0,1,4,1).", r.Value.Text);
        Assert.Equal("227 Entering Passive Mode (127,0,0,1,4,1).\r\n".Length, r.Consumed);
    }

    [Fact]
    public void MultiLine_EndsAtTheSameCodeWithASpace()
    {
        var text = "211-Features:\r\n EPSV\r\n SIZE\r\n211-not the end\r\n UTF8\r\n211 End\r\n";
        var r = Parse(text);
        Assert.True(r.IsDone);
        Assert.Equal(6, r.Value!.Lines.Count);
        Assert.Equal(text.Length, r.Consumed);
        var f = FtpFeatures.FromReply(r.Value);
        Assert.Equal((true, true, false, false, true), (f.Epsv, f.Size, f.Mdtm, f.Mlst, f.Utf8));
    }

    [Fact]
    public void Incomplete_NeedsMore_Garbage_Invalid_Bounds_TooLarge()
    {
        Assert.Equal(ParseStatus.NeedMore, Parse("220 hel").Status);
        Assert.Equal(ParseStatus.NeedMore, Parse("211-a\r\n b\r\n").Status);
        Assert.Equal(ParseStatus.Invalid, Parse("HTTP/1.1 200 OK\r\n").Status);
        Assert.Equal(ParseStatus.Invalid, Parse("22 short\r\n").Status);
        Assert.Equal(ParseStatus.TooLarge, Parse(new string('2', 100), maxLine: 50).Status);
        Assert.Equal(ParseStatus.TooLarge, Parse("211-a\r\n b\r\n c\r\n d\r\n", maxLines: 3).Status);
    }

    [Theory]
    [InlineData("Entering Passive Mode (127,0,0,1,200,10).", "127.0.0.1:51210")]
    [InlineData("=192,168,1,2,0,21", "192.168.1.2:21")]
    public void Pasv227_ReadsAddressAndPort(string text, string expected) =>
        Assert.Equal(IPEndPoint.Parse(expected), FtpPassive.Parse227(text));

    [Theory]
    [InlineData("Entering Passive Mode (127,0,0,1,4)")]
    [InlineData("Entering Passive Mode (127,0,0,256,4,1)")]
    [InlineData("no numbers")]
    public void Pasv227_Malformed_IsNull(string text) => Assert.Null(FtpPassive.Parse227(text));

    [Theory]
    [InlineData("Entering Extended Passive Mode (|||6446|)", 6446)]
    [InlineData("ok (!!!21!)", 21)]
    public void Epsv229_ReadsThePortWithAnyDelimiter(string text, int port) => Assert.Equal(port, FtpPassive.Parse229(text));

    [Theory]
    [InlineData("Entering Extended Passive Mode (|||0|)")]
    [InlineData("Entering Extended Passive Mode (||6446|)")]
    [InlineData("Entering Extended Passive Mode")]
    public void Epsv229_Malformed_IsNull(string text) => Assert.Null(FtpPassive.Parse229(text));

    [Fact]
    public void Command_RefusesCrLfInTheArgument()
    {
        Assert.Equal("RETR a b.txt\r\n"u8.ToArray(), FtpCommand.Format("RETR", "a b.txt"));
        Assert.Equal("PASV\r\n"u8.ToArray(), FtpCommand.Format("PASV"));
        Assert.Null(FtpCommand.Format("RETR", "x\r\nDELE y"));
    }
}
