using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;

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

    [Fact]
    public void EqualPrefixes_FirstWins_MappedAddresses_MatchV4Entries()
    {
        var rule = new NetworkAclRule(
        [
            new NetworkAclEntry(IPNetwork.Parse("10.0.0.0/8"), AclAction.Forbid),
            new NetworkAclEntry(IPNetwork.Parse("10.0.0.0/8"), AclAction.Permit),
            new NetworkAclEntry(IPNetwork.Parse("10.1.0.0/16"), AclAction.PermitLog),
            new NetworkAclEntry(IPNetwork.Parse("::/0"), AclAction.ForbidLog),
        ], AclAction.Permit);
        Assert.Equal(AclAction.Forbid, rule.Check(IPAddress.Parse("10.2.0.1")));
        Assert.Equal(AclAction.PermitLog, rule.Check(IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.Equal(AclAction.ForbidLog, rule.Check(IPAddress.Parse("2001:db8::1")));
        Assert.Equal(AclAction.Permit, rule.Check(IPAddress.Parse("192.0.2.1")));
        Assert.False(rule.TryMatch(IPAddress.Parse("192.0.2.1"), out _));
    }

    [Fact]
    public void With_NewEntries_IsCheckedAgainstThem_EqualityIsEntriesAndDefault()
    {
        var rule = new NetworkAclRule([new NetworkAclEntry(IPNetwork.Parse("10.0.0.0/8"), AclAction.Forbid)], AclAction.Permit);
        var other = rule with { Entries = [new NetworkAclEntry(IPNetwork.Parse("192.0.2.0/24"), AclAction.Forbid)] };
        Assert.Equal(AclAction.Permit, other.Check(IPAddress.Parse("10.0.0.1")));
        Assert.Equal(AclAction.Forbid, other.Check(IPAddress.Parse("192.0.2.1")));
        Assert.Equal(rule, rule with { });
        Assert.NotEqual(rule, rule with { Default = AclAction.Forbid });
    }

    [Fact]
    public void HostFilter_ByUpstream_DecidesAsByHostName()
    {
        var set = new HostAclRuleSet(null, null, null, new NetworkAclRule(
            [new NetworkAclEntry(IPNetwork.Parse("192.0.2.0/24"), AclAction.Forbid), new NetworkAclEntry(IPNetwork.Parse("2001:db8::/32"), AclAction.Forbid)], AclAction.Permit));
        foreach (var host in new[] { "192.0.2.7", "[2001:db8::1]", "2001:db8::1", "198.51.100.1", "example.net", "192.0.2.7." })
            Assert.Equal(set.Check(host), set.Check(new UpstreamAddr(host, 80)));
        Assert.True(set.Check(new UpstreamAddr("[2001:db8::1]", 443)).IsForbidden());
    }
}
