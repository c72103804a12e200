using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Users;
using Proxy.Tests.Resolvers;

namespace Proxy.Tests.Users;

public sealed class UserRulesTests
{
    private readonly ManualTimeProvider _time = new();

    private User One(string keys)
    {
        var config = GroupYaml.Load("    static_users:\n      - name: u\n" + keys);
        return UserTable.Create(config, _time).Find("u")!;
    }

    [Fact]
    public void ProxyRequestFilter_PermitsListed_ForbidsRest_NoFilterPermitsAll()
    {
        var u = One("        proxy_request_filter: {forbid_log: SocksUdpAssociate, permit: [http_forward, HttpsForward], default: permit_log}\n");
        Assert.Equal(AclAction.Permit, u.CheckProxyRequest(ProxyRequestType.HttpForward));
        Assert.Equal(AclAction.ForbidLog, u.CheckProxyRequest(ProxyRequestType.SocksUdpAssociate));
        Assert.Equal(AclAction.PermitLog, u.CheckProxyRequest(ProxyRequestType.HttpConnect));
        Assert.Equal(AclAction.Permit, One("        token: ~\n").CheckProxyRequest(ProxyRequestType.SocksTcpConnect));
    }

    [Fact]
    public void Upstream_PortRuleForbidsFirst_ThenTheStricterOfPortAndHost()
    {
        var u = One("""
                    dst_port_filter: {permit: [443], permit_log: 8080, default: forbid}
                    dst_host_filter_set:
                      exact: {forbid_log: evil.example.com, permit: [1.2.3.4]}
                      child: {permit: example.com, default: forbid}
                      regex: {forbid: '^ads\d*\.', default: forbid}
                      subnet: {permit: 10.0.0.0/8, default: forbid}
            """);
        Assert.Equal(AclAction.Permit, u.CheckUpstream(new UpstreamAddr("www.example.com", 443)));
        Assert.Equal(AclAction.Forbid, u.CheckUpstream(new UpstreamAddr("www.example.com", 22)));
        Assert.Equal(AclAction.PermitLog, u.CheckUpstream(new UpstreamAddr("www.example.com", 8080)));
        Assert.Equal(AclAction.ForbidLog, u.CheckUpstream(new UpstreamAddr("evil.example.com", 443)));
        Assert.Equal(AclAction.Forbid, u.CheckUpstream(new UpstreamAddr("ads12.tracker.net", 443)));
        Assert.Equal(AclAction.Forbid, u.CheckUpstream(new UpstreamAddr("other.org", 443)));
        Assert.Equal(AclAction.Permit, u.CheckUpstream(new UpstreamAddr("10.9.8.7", 443)));
        Assert.Equal(AclAction.Permit, u.CheckUpstream(new UpstreamAddr("1.2.3.4", 443)));
        Assert.Equal(AclAction.Forbid, u.CheckUpstream(new UpstreamAddr("192.0.2.1", 443)));
    }

    [Fact]
    public void UserAgentFilter_MatchesWholeProductTokens_DefaultPermit()
    {
        var u = One("        http_user_agent_filter: [curl, Python-urllib]\n");
        Assert.Equal(AclAction.Forbid, u.CheckUserAgent(["curl/8.5.0"]));
        Assert.Equal(AclAction.Forbid, u.CheckUserAgent(["Mozilla/5.0 (X11; Linux) python-urllib/3.11"]));
        Assert.Equal(AclAction.Permit, u.CheckUserAgent(["libcurl-agent/1.0", "notcurl/1"]));
        Assert.Equal(AclAction.Forbid, u.CheckUserAgent(["Mozilla/5.0", "curl"]));
        Assert.Null(One("        token: ~\n").CheckUserAgent(["curl/8"]));
        var mixed = One("        http_user_agent_filter: {permit_log: Firefox, forbid: Wget, default: permit}\n");
        Assert.Equal(AclAction.PermitLog, mixed.CheckUserAgent(["Mozilla/5.0 Firefox/120.0"]));
        Assert.Equal(AclAction.Forbid, mixed.CheckUserAgent(["Wget/1.21"]));
        Assert.Equal(AclAction.Permit, mixed.CheckUserAgent(["Opera/9"]));
        // as g3's check_http_user_agent: a found permit only ever restricts the default, never loosens it
        var allowOnly = One("        http_user_agent_filter: {permit: Firefox, default: forbid}\n");
        Assert.Equal(AclAction.Forbid, allowOnly.CheckUserAgent(["Mozilla/5.0 Firefox/120.0"]));
    }

    [Fact]
    public void ConnectionAndRequestRates_SharedByTheUser_RefillWithTime()
    {
        var u = One("        connection_rate_limit: {replenish_interval: 1s, max_burst: 2}\n        request_rate_limit: 3/s\n");
        Assert.True(u.CheckRateLimit(newConnection: true));
        Assert.True(u.CheckRateLimit(newConnection: true));
        Assert.False(u.CheckRateLimit(newConnection: true));  // third connection within the burst window
        Assert.True(u.CheckRateLimit(newConnection: false));  // a request on a reused connection: request token only
        Assert.False(u.CheckRateLimit(newConnection: false)); // 3 request tokens spent (the refused connection took one)
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(u.CheckRateLimit(newConnection: true));
    }

    [Fact]
    public void LogRateLimit_SkipsBeyondTheQuota()
    {
        var u = One("        log_rate_limit: {rate: 2/s}\n");
        Assert.False(u.SkipLog());
        Assert.False(u.SkipLog());
        Assert.True(u.SkipLog());
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(u.SkipLog());
    }

    [Fact]
    public void RequestMaxAlive_RefusesTheThird_UntilOneEnds()
    {
        var u = One("        request_max_alive: 2\n");
        var first = u.TryAcquireAlive();
        using var second = u.TryAcquireAlive();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(u.TryAcquireAlive());
        first!.Dispose();
        first.Dispose(); // a guard releases once
        Assert.Equal(1, u.RequestAlive.Alive);
        using var third = u.TryAcquireAlive();
        Assert.NotNull(third);
    }

    [Fact]
    public void SocketSpeedLimits_AreTheConfiguredValues_ForTheRelay()
    {
        var u = One("        tcp_sock_speed_limit: {shift: 9, upload: 1K, download: 2K}\n        udp_sock_speed_limit: 512K\n");
        Assert.Equal(new TcpSockSpeedLimit(9, 1000, 2000), u.TcpSockSpeedLimit);
        Assert.Equal((10, 512_000L, 512_000L), (u.UdpSockSpeedLimit.ShiftMillis, u.UdpSockSpeedLimit.MaxNorthBytes, u.UdpSockSpeedLimit.MaxSouthBytes));
    }
}
