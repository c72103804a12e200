using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Protocols.Http1;

public sealed class RequestTargetTests
{
    [Theory]
    [InlineData("http://Example.COM/a?b", "http", "example.com", 80, "/a?b")]
    [InlineData("https://h:8443", "https", "h", 8443, "/")]
    [InlineData("http://h?q=1", "http", "h", 80, "/?q=1")]
    [InlineData("http://user:pw@h/p#frag", "http", "h", 80, "/p")]
    [InlineData("http://[::1]:81/", "http", "::1", 81, "/")]
    public void AbsoluteForm(string target, string scheme, string host, int port, string path)
    {
        var t = RequestTarget.Parse("GET", target)!;
        Assert.Equal(TargetForm.Absolute, t.Form);
        Assert.Equal(scheme, t.Scheme);
        Assert.Equal(host, t.Upstream!.Host);
        Assert.Equal(port, t.Upstream.Port);
        Assert.Equal(path, t.PathAndQuery);
    }

    [Theory]
    [InlineData("h:443", "h", 443)]
    [InlineData("[2001:db8::1]:8443", "2001:db8::1", 8443)]
    public void ConnectAuthority(string target, string host, int port)
    {
        var t = RequestTarget.Parse("CONNECT", target)!;
        Assert.Equal(TargetForm.Authority, t.Form);
        Assert.Equal(host, t.Upstream!.Host);
        Assert.Equal(port, t.Upstream.Port);
    }

    [Theory]
    [InlineData("CONNECT", "h")]              // port required
    [InlineData("CONNECT", "h:0")]
    [InlineData("CONNECT", "h:70000")]
    [InlineData("CONNECT", "::1:443")]        // IPv6 without brackets
    [InlineData("GET", "http://")]
    [InlineData("GET", "http://h:x/")]
    [InlineData("GET", "http://bad host/")]
    [InlineData("GET", "nonsense")]
    public void Malformed_IsNull(string method, string target) => Assert.Null(RequestTarget.Parse(method, target));

    [Fact]
    public void OriginForm_IsLocal()
    {
        Assert.Equal(TargetForm.Origin, RequestTarget.Parse("GET", "/index.html")!.Form);
        Assert.Equal(TargetForm.Asterisk, RequestTarget.Parse("OPTIONS", "*")!.Form);
    }
}
