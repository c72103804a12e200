using System.Net;
using Proxy.Actors.Config.Acl;
using static Proxy.Tests.Config.ValueParserTests;

namespace Proxy.Tests.Config;

public sealed class AclParsingTests
{
    [Fact]
    public void EgressFilter_KeepsBuiltins_LongerConfiguredPrefixWins()
    {
        var rule = NetworkAclParser.Egress(YamlOf("{default: allow, allow: 127.0.0.1}"));
        Assert.Equal(AclAction.Permit, rule.Check(IPAddress.Loopback));
        Assert.True(rule.Check(IPAddress.Parse("127.0.0.2")).IsForbidden());
        Assert.True(rule.Check(IPAddress.Parse("169.254.1.1")).IsForbidden());
        Assert.True(rule.Check(IPAddress.IPv6Loopback).IsForbidden());
        Assert.Equal(AclAction.Permit, rule.Check(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void EgressFilter_SameNetworkAsBuiltin_ConfigWins()
    {
        var rule = NetworkAclParser.Egress(YamlOf("{default: allow, permit: 127.0.0.0/8}"));
        Assert.Equal(AclAction.Permit, rule.Check(IPAddress.Parse("127.1.2.3")));
    }

    [Fact]
    public void Shorthand_PermitsOnlyListed_DefaultForbid()
    {
        var rule = NetworkAclParser.Ingress(YamlOf("[10.0.0.0/8, 192.168.1.1]"));
        Assert.Equal(AclAction.Permit, rule.Check(IPAddress.Parse("10.2.3.4")));
        Assert.Equal(AclAction.Permit, rule.Check(IPAddress.Parse("192.168.1.1")));
        Assert.Equal(AclAction.Forbid, rule.Check(IPAddress.Parse("192.168.1.2")));
        Assert.Equal(AclAction.Permit, rule.Check(IPAddress.Loopback)); // ingress builtin
    }

    [Theory]
    [InlineData("deny", AclAction.Forbid)]
    [InlineData("reject_log", AclAction.ForbidLog)]
    [InlineData("Accept", AclAction.Permit)]
    [InlineData("allow-log", AclAction.PermitLog)]
    [InlineData("forbid_log", AclAction.ForbidLog)]
    public void Actions_AcceptAllAliases(string key, AclAction action)
    {
        var rule = NetworkAclParser.Parse(YamlOf($"{{{key}: 10.0.0.0/8, default: permit}}"), []);
        Assert.Equal(action, rule.Check(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void HostBitsAreCleared_AndStrictestWinsOnEqualPrefix()
    {
        var rule = NetworkAclParser.Parse(YamlOf("{permit: 10.1.2.3/8, forbid_log: 10.0.0.0/8}"), []);
        Assert.Equal(AclAction.ForbidLog, rule.Check(IPAddress.Parse("10.9.9.9")));
    }

    [Fact]
    public void PortFilter_ListShorthandAndMap()
    {
        var only = PortAclParser.Parse(YamlOf("[80, 443, 8000-8100]"));
        Assert.Equal(AclAction.Permit, only.Check(8080));
        Assert.Equal(AclAction.Forbid, only.Check(22));
        var map = PortAclParser.Parse(YamlOf("{default: permit, forbid: '25,465-587'}"));
        Assert.Equal(AclAction.Forbid, map.Check(500));
        Assert.Equal(AclAction.Permit, map.Check(443));
    }

    [Fact]
    public void HostFilterSet_AllMatchKinds()
    {
        var set = HostAclSetParser.Parse(YamlOf("""
            exact: [example.com, 192.0.2.7]
            child_match: {permit: example.net, forbid: bad.example.net}
            regex: {permit_log: '^api[0-9]+\.test$'}
            subnet_match: {permit: 198.51.100.0/24}
            """));
        Assert.Equal(AclAction.Permit, set.Check("example.com"));
        Assert.Equal(AclAction.Permit, set.Check("192.0.2.7"));
        Assert.Equal(AclAction.Permit, set.Check("www.example.net"));
        Assert.Equal(AclAction.Forbid, set.Check("x.bad.example.net"));
        Assert.Equal(AclAction.PermitLog, set.Check("api12.test"));
        Assert.Equal(AclAction.Permit, set.Check("198.51.100.9"));
        Assert.Equal(AclAction.Forbid, set.Check("other.org"));
    }

    [Fact]
    public void HostFilterSet_Lookups_CaseDotsBracketsAndLongestParent()
    {
        var set = HostAclSetParser.Parse(YamlOf("""
            exact: {forbid: [Blocked.Example, '2001:db8::7'], default: permit}
            child: {permit: [corp.example], forbid: [example, Deep.Corp.Example], default: permit}
            """));
        Assert.Equal(AclAction.Forbid, set.Check("blocked.example"));
        Assert.Equal(AclAction.Forbid, set.Check("BLOCKED.example."));
        Assert.Equal(AclAction.Forbid, set.Check("[2001:db8::7]"));
        Assert.Equal(AclAction.Forbid, set.Check("2001:0db8:0:0::7"));
        Assert.Equal(AclAction.Permit, set.Check("2001:db8::8"));
        // the longest listed parent decides, whatever the order in the config
        Assert.Equal(AclAction.Permit, set.Check("www.corp.example"));
        Assert.Equal(AclAction.Permit, set.Check("corp.example"));
        Assert.Equal(AclAction.Forbid, set.Check("a.deep.CORP.example"));
        Assert.Equal(AclAction.Forbid, set.Check("other.example"));
        Assert.Equal(AclAction.Permit, set.Check("xcorp.example.org"));
        Assert.Equal(AclAction.Permit, set.Check("notexample"));
    }
}
