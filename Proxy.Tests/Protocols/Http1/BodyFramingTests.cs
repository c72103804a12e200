using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Protocols.Http1;

public sealed class BodyFramingTests
{
    private static HttpHeaders Headers(params (string, string)[] fields)
    {
        var h = new HttpHeaders();
        foreach (var (k, v) in fields) h.Add(k, v);
        return h;
    }

    [Fact]
    public void Request_ChunkedLengthOrNone()
    {
        Assert.Equal(BodyKind.Chunked, BodyFraming.ForRequest(Headers(("Transfer-Encoding", "chunked")), out _, out _)!.Value.Kind);
        Assert.Equal(new BodyFraming(BodyKind.ContentLength, 12), BodyFraming.ForRequest(Headers(("Content-Length", "12")), out _, out _));
        Assert.Equal(BodyKind.None, BodyFraming.ForRequest(Headers(("Content-Length", "0")), out _, out _)!.Value.Kind);
        Assert.Equal(BodyKind.None, BodyFraming.ForRequest(Headers(), out _, out _)!.Value.Kind);
        // Repeated identical lengths are one length (RFC 9110 8.6).
        Assert.Equal(7, BodyFraming.ForRequest(Headers(("Content-Length", "7, 7")), out _, out _)!.Value.Length);
    }

    [Theory]
    [InlineData("Content-Length", "-1", 400)]
    [InlineData("Content-Length", "1, 2", 400)]
    [InlineData("Transfer-Encoding", "gzip", 400)]
    [InlineData("Transfer-Encoding", "gzip, chunked", 501)]
    public void Request_Refused(string name, string value, int status)
    {
        Assert.Null(BodyFraming.ForRequest(Headers((name, value)), out var code, out _));
        Assert.Equal(status, code);
    }

    [Fact]
    public void Request_BothTeAndCl_Refused()
    {
        Assert.Null(BodyFraming.ForRequest(Headers(("Transfer-Encoding", "chunked"), ("Content-Length", "5")), out var code, out _));
        Assert.Equal(400, code);
    }

    private static HttpResponseHead Rsp(int status, params (string, string)[] fields)
    {
        var r = new HttpResponseHead { Version = 11, Status = status, Reason = "" };
        foreach (var (k, v) in fields) r.Headers.Add(k, v);
        return r;
    }

    [Fact]
    public void Response_NoBodyCases_AndUntilClose()
    {
        Assert.Equal(BodyKind.None, BodyFraming.ForResponse("HEAD", Rsp(200, ("Content-Length", "10")))!.Value.Kind);
        Assert.Equal(BodyKind.None, BodyFraming.ForResponse("GET", Rsp(204))!.Value.Kind);
        Assert.Equal(BodyKind.None, BodyFraming.ForResponse("GET", Rsp(304, ("Content-Length", "10")))!.Value.Kind);
        Assert.Equal(BodyKind.UntilClose, BodyFraming.ForResponse("GET", Rsp(200))!.Value.Kind);
        Assert.Equal(BodyKind.Chunked, BodyFraming.ForResponse("GET", Rsp(200, ("Transfer-Encoding", "gzip, chunked")))!.Value.Kind);
        Assert.Null(BodyFraming.ForResponse("GET", Rsp(200, ("Content-Length", "x"))));
    }
}
