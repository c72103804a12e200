using System.Net;
using Proxy.Actors.Config.Acl;

namespace Proxy.Tests.Config;

public sealed class AclTests
{
    [Fact]
    public void DefaultEgress_ForbidsLoopback_PermitsPublic()
    {
        Assert.True(NetworkAclRule.DefaultEgress.Check(IPAddress.Loopback).IsForbidden());
        Assert.True(NetworkAclRule.DefaultEgress.Check(IPAddress.IPv6Loopback).IsForbidden());
        Assert.False(NetworkAclRule.DefaultEgress.Check(IPAddress.Parse("192.0.2.1")).IsForbidden());
    }

    [Fact]
    public void MoreSpecificPermit_BeatsBuiltinForbid()
    {
        var rule = new NetworkAclRule(
            [.. NetworkAclRule.EgressBuiltins, new NetworkAclEntry(IPNetwork.Parse("127.0.0.1/32"), AclAction.Permit)],
            AclAction.Permit);
        Assert.False(rule.Check(IPAddress.Loopback).IsForbidden());
        Assert.True(rule.Check(IPAddress.Parse("127.0.0.2")).IsForbidden());
    }
}
