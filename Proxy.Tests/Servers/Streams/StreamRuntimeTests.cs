using System.Net;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Servers.Streams;

namespace Proxy.Tests.Servers.Streams;

public sealed class StreamRuntimeTests
{
    [Fact]
    public void HashKey_IsClientIpThenServerIp_AsG3Documents_PreferringPROXYHeaderAddresses()
    {
        var facts = new ConnectionFacts(IPEndPoint.Parse("10.0.0.1:443"), IPEndPoint.Parse("192.0.2.7:5555"));
        Assert.Equal("192.0.2.7" + "10.0.0.1", StreamRuntime.HashKey(facts));
        var proxied = facts with { ProxiedClientAddr = IPEndPoint.Parse("198.51.100.1:1"), ProxiedServerAddr = IPEndPoint.Parse("203.0.113.1:443") };
        Assert.Equal("198.51.100.1" + "203.0.113.1", StreamRuntime.HashKey(proxied));
    }
}
