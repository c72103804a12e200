using System.Buffers;
using System.Text;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Inspect;
using Proxy.Actors.Servers.Sni;
using Proxy.Tests.Protocols.TlsHello;

namespace Proxy.Tests.Servers.Sni;

public sealed class SniRequestParserTests
{
    private static ParseResult<SniRequest> Parse(byte[] bytes, int port = 443, int max = 1 << 16, int maxUri = 4096) =>
        SniRequestParser.Parse(new ReadOnlySequence<byte>(bytes), port, max, new RecognizeLimits(HttpRequestUri: maxUri), null);

    [Fact]
    public async Task RealClientHello_GivesItsSni_OnTheDialledPort()
    {
        var hello = await HelloBytes.FromSslStreamAsync("www.example.net");
        var r = Parse(hello, 8443);
        Assert.True(r.IsDone);
        Assert.Equal(new SniRequest(new UpstreamAddr("www.example.net", 8443), true), r.Value);
        // Every shorter prefix asks for more.
        for (var n = 1; n < hello.Length; n += 37) Assert.Equal(ParseStatus.NeedMore, Parse(hello[..n]).Status);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", "a.example", 80)]
    [InlineData("POST /x HTTP/1.1\r\nHost: a.example:8080\r\nContent-Length: 3\r\n\r\nabc", "a.example", 8080)]
    [InlineData("GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n", "2001:db8::1", 80)]
    public void HttpHead_GivesItsHost_ItsPortWinning(string request, string host, int port)
    {
        var r = Parse(Encoding.ASCII.GetBytes(request), 80);
        Assert.True(r.IsDone, r.Reason);
        Assert.Equal(new SniRequest(new UpstreamAddr(host, port), false), r.Value);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "Host")]
    [InlineData("\u0000\u0001garbage\r\n\r\n", "unsupported client protocol")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n", "unsupported client protocol")]
    public void NoUsableHost_IsInvalid_WithAReason(string request, string reason)
    {
        var r = Parse(Encoding.Latin1.GetBytes(request));
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Contains(reason, r.Reason);
    }

    [Fact]
    public void ARequestUriLongerThanTheInspectionLimit_IsNotHttp()
    {
        var request = Encoding.ASCII.GetBytes($"GET /{new string('x', 40)} HTTP/1.1\r\nHost: a.example\r\n\r\n");

        Assert.True(Parse(request, 80).IsDone);
        Assert.Equal("unsupported client protocol", Parse(request, 80, maxUri: 32).Reason);
    }

    [Fact]
    public void HelloWithoutSni_OrWithAnOversizedName_IsInvalid()
    {
        Assert.Contains("no SNI", Parse(HelloBytes.Records(HelloBytes.Message(null))).Reason);
        Assert.Equal(ParseStatus.Invalid, Parse(HelloBytes.Records(HelloBytes.Message([HelloBytes.Sni(new string('a', 300))]))).Status);
    }

    [Fact]
    public void HelloLargerThanTheLimit_IsTooLarge()
    {
        var big = HelloBytes.Records(HelloBytes.Message([HelloBytes.Sni("a.example"), (0xff01, new byte[3000])]));
        Assert.Equal(ParseStatus.TooLarge, Parse(big, max: 1024).Status);
        Assert.True(Parse(big, max: 8192).IsDone);
    }
}
