using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Tests.Config.Values;

public sealed class UpstreamAddrTests
{
    [Fact]
    public void Ip_IsTheHostsIp_AndFollowsAChangedHost()
    {
        var addr = new UpstreamAddr("[2001:db8::1]", 443);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), addr.Ip);
        Assert.Null((addr with { Host = "example.net" }).Ip);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), (addr with { Host = "192.0.2.1" }).Ip);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), (addr with { Port = 80 }).Ip);
        Assert.Null(new UpstreamAddr("example.net", 80).Ip);
    }

    [Fact]
    public void Equality_IsHostAndPort_WhetherOrNotTheIpWasRead()
    {
        var read = new UpstreamAddr("192.0.2.1", 80);
        _ = read.Ip;
        var unread = new UpstreamAddr("192.0.2.1", 80);
        Assert.Equal(read, unread);
        Assert.Equal(read.GetHashCode(), unread.GetHashCode());
        Assert.NotEqual(read, read with { Port = 81 });
        Assert.NotEqual(read, read with { Host = "192.0.2.2" });
    }
}
