using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.HttpProxy;

namespace Proxy.Tests.Servers.HttpProxy;

/// <summary>The Host check behind 409 (allow_custom_host: false).</summary>
public sealed class HostMatchTests
{
    [Theory]
    [InlineData("http://example.com/", "example.com", true)]
    [InlineData("http://example.com/", "example.com:80", true)]
    [InlineData("http://example.com:8080/", "example.com:8080", true)]
    [InlineData("http://example.com:8080/", "example.com", false)]
    [InlineData("https://example.com/", "example.com", true)]
    [InlineData("https://example.com/", "example.com:443", true)]
    [InlineData("https://example.com:8443/", "example.com", false)]
    // A bare Host on an https URI means port 443, so it does not match an explicit :80.
    [InlineData("https://example.com:80/", "example.com", false)]
    [InlineData("http://example.com/", "other.example", false)]
    [InlineData("http://EXAMPLE.com/", "example.COM", true)]
    public void HostHeader_AgainstAuthority(string uri, string host, bool matches)
    {
        var target = RequestTarget.Parse("GET", uri)!;
        Assert.Equal(matches, HttpForwardHandler.HostMatches(host, target));
    }
}
