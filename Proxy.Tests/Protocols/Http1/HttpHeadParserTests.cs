using System.Buffers;
using System.Text;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Protocols.Http1;

public sealed class HttpHeadParserTests
{
    private static ReadOnlySequence<byte> Bytes(string s) => new(Encoding.Latin1.GetBytes(s));

    /// <summary>The same bytes split into one-byte segments: the parser must not care where reads ended.</summary>
    private static ReadOnlySequence<byte> Fragmented(string s) => Segments.Split(Encoding.Latin1.GetBytes(s));

    [Fact]
    public void Request_Parsed_WithFieldsInOrder_AndWireLength()
    {
        const string text = "GET http://a.example/x?y=1 HTTP/1.1\r\nHost: a.example\r\nX-A:  one \r\nX-A: two\r\n\r\nBODY";
        var status = HttpHeadParser.TryParseRequest(Bytes(text), 65536, 100, out var head, out _);

        Assert.Equal(HeadParseStatus.Done, status);
        Assert.Equal("GET", head!.Method);
        Assert.Equal("http://a.example/x?y=1", head.Target);
        Assert.Equal(11, head.Version);
        Assert.Equal(["one", "two"], head.Headers.GetAll("x-a"));
        Assert.Equal(text.Length - 4, head.WireLength);
    }

    [Fact]
    public void Request_FragmentedIntoSingleBytes_ParsesTheSame()
    {
        const string text = "POST http://h/ HTTP/1.0\r\nContent-Length: 3\r\n\r\n";
        var status = HttpHeadParser.TryParseRequest(Fragmented(text), 65536, 100, out var head, out _);
        Assert.Equal(HeadParseStatus.Done, status);
        Assert.Equal(10, head!.Version);
        Assert.Equal("3", head.Headers.Get("content-length"));
    }

    [Theory]
    [InlineData("GET http://h/ HTTP/1.1\r\nHost: h\r\n")]
    [InlineData("GET http://h/ HTTP/1.1\r\n")]
    [InlineData("GE")]
    public void Request_WithoutBlankLine_IsIncomplete(string text) =>
        Assert.Equal(HeadParseStatus.Incomplete, HttpHeadParser.TryParseRequest(Bytes(text), 65536, 100, out _, out _));

    [Fact]
    public void BareLf_AndLeadingBlankLines_AreAccepted()
    {
        var status = HttpHeadParser.TryParseRequest(Bytes("\r\n\nGET http://h/ HTTP/1.1\nHost: h\n\n"), 65536, 100, out var head, out _);
        Assert.Equal(HeadParseStatus.Done, status);
        Assert.Equal("h", head!.Headers.Get("Host"));
    }

    [Theory]
    [InlineData("HELLO\r\n\r\n")]                                   // no target, no version
    [InlineData("GET http://h/ HTTP/2.0\r\n\r\n")]                  // not HTTP/1.x
    [InlineData("GET http://h/ x HTTP/1.1\r\n\r\n")]                // space in target
    [InlineData("G@T http://h/ HTTP/1.1\r\n\r\n")]                  // method not a token
    [InlineData("GET http://h/ HTTP/1.1\r\nHost : h\r\n\r\n")]      // space before colon (smuggling)
    [InlineData("GET http://h/ HTTP/1.1\r\nX: a\r\n b\r\n\r\n")]    // obs-fold
    [InlineData("GET http://h/ HTTP/1.1\r\nX: a\rb\r\n\r\n")]       // bare CR in a value
    [InlineData("GET http://h/ HTTP/1.1\r\nNoColon\r\n\r\n")]
    public void Malformed_IsInvalid(string text) =>
        Assert.Equal(HeadParseStatus.Invalid, HttpHeadParser.TryParseRequest(Bytes(text), 65536, 100, out _, out _));

    [Fact]
    public void OversizedHead_IsTooLarge_EvenBeforeItEnds()
    {
        var big = "GET http://h/ HTTP/1.1\r\nX: " + new string('a', 70_000);
        Assert.Equal(HeadParseStatus.TooLarge, HttpHeadParser.TryParseRequest(Bytes(big), 65536, 100, out _, out _));
    }

    [Fact]
    public void TooManyFields_IsTooLarge()
    {
        var sb = new StringBuilder("GET http://h/ HTTP/1.1\r\n");
        for (var i = 0; i < 20; i++) sb.Append($"X-{i}: v\r\n");
        sb.Append("\r\n");
        Assert.Equal(HeadParseStatus.TooLarge, HttpHeadParser.TryParseRequest(Bytes(sb.ToString()), 65536, 10, out _, out _));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200, "OK")]
    [InlineData("HTTP/1.1 204\r\n\r\n", 204, "")]
    [InlineData("HTTP/1.0 404 Not Found Here\r\n\r\n", 404, "Not Found Here")]
    public void Response_StatusLine(string text, int status, string reason)
    {
        Assert.Equal(HeadParseStatus.Done, HttpHeadParser.TryParseResponse(Bytes(text), 65536, 100, out var head, out _));
        Assert.Equal(status, head!.Status);
        Assert.Equal(reason, head.Reason);
    }

    [Theory]
    [InlineData("HTTP/1.1 2OO OK\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200OK\r\n\r\n")]
    public void Response_Malformed_IsInvalid(string text) =>
        Assert.Equal(HeadParseStatus.Invalid, HttpHeadParser.TryParseResponse(Bytes(text), 65536, 100, out _, out _));
}
