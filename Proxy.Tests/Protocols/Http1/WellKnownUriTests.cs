using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Tests.Protocols.Http1;

/// <summary>g3's well-known URIs, with the cases of g3's own parser tests (lib/g3-http uri/well_known).</summary>
public sealed class WellKnownUriTests
{
    [Theory]
    [InlineData("/.well-known/easy-proxy/http/www.example.com/80/get?name=foo", "http://www.example.com:80/get?name=foo", "www.example.com", 80)]
    [InlineData("/.well-known/easy-proxy/https/secure.site/443/dashboard", "https://secure.site:443/dashboard", "secure.site", 443)]
    [InlineData("/.well-known/easy-proxy/ftp/fileserver/21/download", "ftp://fileserver:21/download", "fileserver", 21)]
    [InlineData("/.well-known/easy-proxy/http/127.0.0.1/8080", "http://127.0.0.1:8080/", "127.0.0.1", 8080)]
    [InlineData("/.well-known/easy-proxy/http/::1/8080/x", "http://[::1]:8080/x", "::1", 8080)]
    [InlineData("//.well-known//easy-proxy/http/a.example/81?q=1", "http://a.example:81/?q=1", "a.example", 81)]
    public void EasyProxy_NamesTheTarget(string path, string absolute, string host, int port)
    {
        var r = WellKnownUri.Resolve(path);
        Assert.Equal(WellKnownKind.Target, r.Kind);
        Assert.Equal(absolute, r.AbsoluteTarget);
        Assert.Equal(new UpstreamAddr(host, port), r.Host);
    }

    [Theory]
    [InlineData("/.well-known/easy-proxy/", "no scheme")]
    [InlineData("/.well-known/easy-proxy/invalid_scheme/host/80/path", "scheme 'invalid_scheme'")]
    [InlineData("/.well-known/easy-proxy/http/", "no target_host")]
    [InlineData("/.well-known/easy-proxy/http/example.com/", "no target_port")]
    [InlineData("/.well-known/easy-proxy/http/example.com/not_number/path", "target_port 'not_number'")]
    [InlineData("/.well-known/easy-proxy/http/bad host/80/", "target_host")]
    [InlineData("/.well-known/masque/udp/example.com/53/", "suffix: masque")]
    [InlineData("/.well-known/masque/http/", "no target_uri")]
    [InlineData("/.well-known/masque/http/not%20a%20uri/", "target_uri")]
    [InlineData("/.well-known/masque/other/", "masque/other")]
    [InlineData("/.well-known/security.txt", "suffix: security.txt")]
    public void Malformed_OrUnsupported_IsRefusedWithTheReason(string path, string why)
    {
        var r = WellKnownUri.Resolve(path);
        Assert.Equal(WellKnownKind.Unsupported, r.Kind);
        Assert.Contains(why, r.Error);
    }

    [Fact]
    public void MasqueHttp_DecodesTheAbsoluteUri()
    {
        var r = WellKnownUri.Resolve("/.well-known/masque/http/" + Uri.EscapeDataString("https://www.example.com:8443/a/b?c=d") + "/");
        Assert.Equal(WellKnownKind.Target, r.Kind);
        Assert.Equal("https://www.example.com:8443/a/b?c=d", r.AbsoluteTarget);
        Assert.Equal(new UpstreamAddr("www.example.com", 8443), r.Host);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/.well-known")]
    [InlineData("/well-known/easy-proxy/http/a/80/")]
    public void OtherPaths_AreNotWellKnown(string path) => Assert.Equal(WellKnownKind.None, WellKnownUri.Resolve(path).Kind);
}
