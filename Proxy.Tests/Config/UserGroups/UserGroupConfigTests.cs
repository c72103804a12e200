using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users.Tokens;

namespace Proxy.Tests.Config.UserGroups;

public sealed class UserGroupConfigTests
{
    private static ProxyConfig Load(TempConfigDir dir, string file = "main.yml") => ConfigLoader.Load(Path.Combine(dir.Root, file));

    private static ConfigException Refused(TempConfigDir dir, string file = "main.yml") =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.Combine(dir.Root, file)));

    [Fact]
    public void InlineGroup_WithoutType_IsBasic_AndHoldsEveryUserKey()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", """
            user_group:
              - name: default
                refresh_interval: 30s
                static_users:
                  - name: root
                    token:
                      salt: 4e8f8a4e37f0fa1b
                      md5: d9d963915b9815d4cc39c196c2868900
                      sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4
                    expire: 2030-01-01T00:00:00Z
                    block_and_delay: 2s
                    tcp_sock_speed_limit: 1M
                    udp_sock_speed_limit: {shift: 8, upload_bytes: 10K, download_packets: 100}
                    tcp_all_download_speed_limit: {replenish_interval: 100ms, replenish_bytes: 100K, max_burst_bytes: 1M}
                    udp_all_upload_speed_limit: 2M
                    connection_rate_limit: 10/m
                    request_rate_limit: {replenish_interval: 1s, max_burst: 5}
                    request_max_alive: 2
                    ingress_network_filter: {default: deny, allow: 10.0.0.0/8}
                    proxy_request_filter: [HttpForward, http_connect]
                    dst_host_filter_set:
                      exact: [example.com]
                      child: {forbid: bad.org}
                      regex: {permit_log: '^api\d+\.example\.net$'}
                      subnet: {default: allow, deny: 192.168.0.0/16}
                    dst_port_filter: [80, 443, "8000-8100"]
                    http_user_agent_filter: [curl]
                    resolve_strategy: Ipv6First
                    resolve_redirection: {a.example: [1.2.3.4], b.example: c.example}
                    log_rate_limit: 100/s
                    log_uri_max_chars: 256
                    task_idle_max_count: 3
                    socks_use_udp_associate: true
                    http_upstream_keepalive: {enable: true, idle_expire: 30s}
                    http_rsp_header_recv_timeout: 5s
                    tcp_connect: {max_retry: 1, each_timeout: 3s}
                    tcp_remote_keepalive: 60s
                    audit: {enable_protocol_inspection: true, task_audit_ratio: 50%}
                    egress_path_id_map: {float: "a1"}
                    egress_path_value_map: {float: '{"x": 1}'}
                    explicit_sites:
                      - id: ex
                        exact_match: [site.example]
                        child_match: [child.example]
                        subnet_match: 10.1.0.0/16
                        emit_stats: true
                  - name: nopass
                    token: ~
                  - name: crypt
                    token: "$1$rnfSARNK$DJNIbbMpjjSmral92rE3k1"
                anonymous_user:
                  name: anon
                  dst_port_filter: 80
            """);
        var config = Load(dir);
        var group = Assert.IsType<BasicUserGroupConfig>(Assert.Single(config.UserGroups));
        Assert.Equal("default", group.Name);
        Assert.Equal(TimeSpan.FromSeconds(30), group.RefreshInterval);
        var root = group.StaticUsers["root"];
        Assert.True(root.Token.Verify("toor"));
        Assert.False(root.Token.Verify("toot"));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), root.Expire);
        Assert.Equal(TimeSpan.FromSeconds(2), root.BlockAndDelay);
        Assert.Equal(1_000_000, root.TcpSockSpeedLimit.MaxSouth);
        Assert.Equal((8, 10_000L, 100L), (root.UdpSockSpeedLimit.ShiftMillis, root.UdpSockSpeedLimit.MaxNorthBytes, root.UdpSockSpeedLimit.MaxSouthPackets));
        Assert.Equal(new Proxy.Actors.Config.Values.GlobalStreamSpeedLimit(TimeSpan.FromMilliseconds(100), 100_000, 1_000_000), root.TcpAllDownloadSpeedLimit);
        Assert.Equal(2_000_000, root.UdpAllUploadSpeedLimit!.ReplenishBytes);
        Assert.Equal((TimeSpan.FromSeconds(6), 10), (root.ConnectionRateLimit!.Replenish, root.ConnectionRateLimit.MaxBurst));
        Assert.Equal((TimeSpan.FromSeconds(1), 5), (root.RequestRateLimit!.Replenish, root.RequestRateLimit.MaxBurst));
        Assert.Equal(2, root.RequestMaxAlive);
        Assert.Equal(AclAction.Forbid, root.IngressNetworkFilter!.Check(IPAddress.Parse("192.0.2.1")));
        Assert.Equal(AclAction.Permit, root.IngressNetworkFilter.Check(IPAddress.Parse("10.1.2.3")));
        Assert.Equal(AclAction.Permit, root.ProxyRequestFilter!.Check(ProxyRequestType.HttpConnect));
        Assert.Equal(AclAction.Forbid, root.ProxyRequestFilter.Check(ProxyRequestType.SocksTcpConnect));
        Assert.Equal(AclAction.Permit, root.DstHostFilterSet!.Check("example.com"));
        Assert.Equal(AclAction.Forbid, root.DstHostFilterSet.Check("x.bad.org"));
        Assert.Equal(AclAction.PermitLog, root.DstHostFilterSet.Check("api12.example.net"));
        Assert.Equal(AclAction.Forbid, root.DstHostFilterSet.Check("192.168.1.1"));
        Assert.Equal(AclAction.Permit, root.DstPortFilter!.Check(8050));
        Assert.Equal(AclAction.Forbid, root.DstPortFilter.Check(22));
        Assert.Equal(AclAction.Forbid, root.HttpUserAgentFilter!.Check("curl/8.5.0"));
        Assert.Equal(AclAction.Permit, root.HttpUserAgentFilter.Check("Mozilla/5.0"));
        Assert.Equal(2, root.ResolveRedirection.Count);
        Assert.Equal(256, root.LogUriMaxChars);
        Assert.Equal(3, root.TaskIdleMaxCount);
        Assert.True(root.SocksUseUdpAssociate);
        Assert.Equal(TimeSpan.FromSeconds(30), root.HttpUpstreamKeepalive.IdleExpire);
        Assert.Equal(1, root.TcpConnect!.MaxRetry);
        Assert.Equal(0.5, root.Audit.TaskAuditRatio);
        Assert.True(root.Audit.EnableProtocolInspection);
        Assert.Equal("a1", root.EgressPathIdMap["float"]);
        var site = Assert.Single(root.ExplicitSites);
        Assert.Equal(("ex", true), (site.Id, site.EmitStats));
        Assert.Same(PasswordToken.SkipVerify, group.StaticUsers["nopass"].Token);
        Assert.True(group.StaticUsers["crypt"].Token.Verify("toor"));
        Assert.Equal("anon", group.AnonymousUser!.Name);
        Assert.Same(PasswordToken.SkipVerify, group.AnonymousUser.Token);
    }

    [Fact]
    public void GroupsFromFileAndDirectory_LoadLikeEscapers()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", "user_group: groups\n");
        dir.Write("groups/a.yml", "name: a\ntype: facts\nstatic_users:\n  - name: u\n    match_by_facts: [\"ip:10.0.0.1\", {net: 10.1.0.0/16}, {child_domain: example.com}]\n");
        dir.Write("groups/b.yml", "name: b\ntype: ldap\nldap_url: ldaps://ldap.example.com/dc%3Dexample,dc=com\nusername_attribute: cn\nunmanaged_user: {name: ldapuser}\npool: {max_idle_count: 4}\n---\nname: c\nsource: file:///tmp/users.json\ncache: cache.json\n");
        var config = Load(dir);
        Assert.Equal(["a", "b", "c"], config.UserGroups.Select(g => g.Name).Order());
        var facts = Assert.IsType<FactsUserGroupConfig>(config.UserGroups.Single(g => g.Name == "a"));
        Assert.Equal(3, facts.StaticUsers["u"].MatchByFacts.Count);
        var ldap = Assert.IsType<LdapUserGroupConfig>(config.UserGroups.Single(g => g.Name == "b"));
        Assert.Equal(("ldap.example.com", 636, true, "dc=example,dc=com", "cn"), (ldap.Host, ldap.Port, ldap.DirectTls, ldap.BaseDn, ldap.UsernameAttribute));
        Assert.Equal(4, ldap.ConnectionPool.MaxIdleCount);
        var c = config.UserGroups.Single(g => g.Name == "c");
        Assert.Equal(new FileUserSourceConfig("/tmp/users.json", UserFileFormat.Json), c.Source);
        Assert.Equal(Path.Combine(dir.Root, "groups", "cache.json"), c.CacheFile);
    }

    [Fact]
    public void Sources_LuaAndPython_ResolveScriptsAgainstTheirFile()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", """
            user_group:
              - name: l
                source: {type: lua, script: fetch.lua, fetch_timeout: 5s, report_script: report.lua}
              - name: p
                source: {type: python, script: users.py}
            """);
        var config = Load(dir);
        var lua = Assert.IsType<LuaUserSourceConfig>(config.UserGroups[0].Source);
        Assert.Equal((Path.Combine(dir.Root, "fetch.lua"), TimeSpan.FromSeconds(5)), (lua.FetchScript, lua.FetchTimeout));
        Assert.Equal(Path.Combine(dir.Root, "report.lua"), lua.ReportScript);
        var py = Assert.IsType<PythonUserSourceConfig>(config.UserGroups[1].Source);
        Assert.Equal(TimeSpan.FromSeconds(30), py.FetchTimeout);
    }

    [Fact]
    public void BadRegex_IsRefused_NamingFileLineEntryAndKey()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", "user_group: g.yml\n");
        dir.Write("g.yml", """
            name: g
            static_users:
              - name: alice
                dst_host_filter_set:
                  regex: ['^ok$', '(unclosed']
            """);
        var e = Refused(dir);
        var error = Assert.Single(e.Errors);
        Assert.Equal(("g.yml", 5, "dst_host_filter_set"), (error.File, error.Line, error.Key));
        Assert.Contains("user_group 'g' user 'alice'", error.ToString());
        Assert.Contains("invalid regex '(unclosed'", error.ToString());
    }

    [Fact]
    public void BadUserKeys_AreRefused_OneErrorEach()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", """
            user_group:
              - name: g
                type: basic
                static_users:
                  - name: a
                    tokn: x
                  - name: b
                    token: {salt: 00, md5: d9d963915b9815d4cc39c196c2868900}
                  - name: c
                    token: "$2y$10$abc"
                  - name: d
                    tcp_client_misc_opts: {mark: x}
                  - token: ~
                  - name: e
                  - name: e
              - name: h
                type: radius
            """);
        var e = Refused(dir);
        Assert.True(e.Errors.Count == 7, e.Message);
        Assert.Contains(e.Errors, x => x.Line == 6 && x.Key == "tokn" && x.Message.Contains("unknown key"));
        Assert.Contains(e.Errors, x => x.Line == 8 && x.Key == "token" && x.Message.Contains("salt"));
        Assert.Contains(e.Errors, x => x.Line == 10 && x.Key == "token" && x.Message.Contains("unknown crypt prefix"));
        Assert.Contains(e.Errors, x => x.Line == 12 && x.Key == "tcp_client_misc_opts" && x.Message.Contains("mark: expected a u32"));
        Assert.Contains(e.Errors, x => x.Line == 13 && x.Message.Contains("missing required key 'name'"));
        Assert.Contains(e.Errors, x => x.Line == 15 && x.Message.Contains("duplicate entry for user 'e'"));
        Assert.Contains(e.Errors, x => x.Line == 17 && x.Message.Contains("unknown user_group type 'radius'"));
    }

    [Fact]
    public void Ldap_WithoutUrl_IsRefused()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", "user_group:\n  - {name: l, type: ldap, ldap_url: http://x/}\n  - {name: m, type: ldap}\n");
        var e = Refused(dir);
        Assert.Contains(e.Errors, x => x.Key == "ldap_url" && x.Message.Contains("unsupported ldap url scheme http"));
        Assert.Contains(e.Errors, x => x.Entry == "user_group 'm'" && x.Message.Contains("missing required key 'ldap_url'"));
    }

    [Fact]
    public void StaticUsers_WithTheSameHostFilterSet_ShareOneCompiledSet_AndADifferentOneStaysApart()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", """
            user_group:
              - name: g
                static_users:
                  - {name: u1, dst_host_filter_set: {exact: {forbid: [a.example, b.example], default: permit}, child: {forbid: [ads.example], default: permit}, regex: {forbid: ['^x\d+\.example$'], default: permit}, subnet: {deny: 10.0.0.0/8, default: permit}}}
                  - {name: u2, dst_host_filter_set: {exact: {forbid: [a.example, b.example], default: permit}, child: {forbid: [ads.example], default: permit}, regex: {forbid: ['^x\d+\.example$'], default: permit}, subnet: {deny: 10.0.0.0/8, default: permit}}}
                  - {name: u3, dst_host_filter_set: {exact: {forbid: [b.example, a.example], default: permit}, child: {forbid: [ads.example], default: permit}, regex: {forbid: ['^x\d+\.example$'], default: permit}, subnet: {deny: 10.0.0.0/8, default: permit}}}
                  - {name: u4, dst_host_filter_set: {exact: {forbid: [a.example, b.example], default: permit}, child: {forbid: [ads.example], default: permit}, regex: {forbid: ['^x\d+\.example$'], default: permit}, subnet: {deny: 10.0.0.0/16, default: permit}}}
                  - {name: u5, dst_host_filter_set: {exact: {forbid: [a.example, b.example], default: permit}, child: {forbid: [ads.example], default: permit}, regex: {forbid: ['^y\d+\.example$'], default: permit}, subnet: {deny: 10.0.0.0/8, default: permit}}}
            """);
        var users = Assert.IsType<BasicUserGroupConfig>(Assert.Single(Load(dir).UserGroups)).StaticUsers;
        var shared = users["u1"].DstHostFilterSet!;
        Assert.Same(shared, users["u2"].DstHostFilterSet);
        // the same entries listed in another order are the same rule
        Assert.Same(shared, users["u3"].DstHostFilterSet);
        Assert.NotSame(shared, users["u4"].DstHostFilterSet);
        Assert.NotSame(shared, users["u5"].DstHostFilterSet);
        // each still decides by its own rules
        Assert.Equal(AclAction.Forbid, shared.Check("10.1.2.3"));
        Assert.Equal(AclAction.Permit, users["u4"].DstHostFilterSet!.Check("10.1.2.3"));
        Assert.Equal(AclAction.Forbid, shared.Check("x12.example"));
        Assert.Equal(AclAction.Permit, users["u5"].DstHostFilterSet!.Check("x12.example"));
        Assert.Equal(AclAction.Forbid, shared.Check("cdn.ads.example"));
    }

    [Fact]
    public void DynamicUsers_WithTheSameHostFilterSet_ShareOneCompiledSet()
    {
        var result = DynamicUsersParser.Parse("""
            [{"name": "a", "dst_host_filter_set": {"exact": {"forbid": ["x.example"], "default": "permit"}}},
             {"name": "b", "dst_host_filter_set": {"exact": {"forbid": ["x.example"], "default": "permit"}}},
             {"name": "c", "dst_host_filter_set": {"exact": {"forbid": ["y.example"], "default": "permit"}}}]
            """, "users.json", "g");
        Assert.True(result.Ok, result.ErrorText);
        Assert.Same(result.Users[0].DstHostFilterSet, result.Users[1].DstHostFilterSet);
        Assert.NotSame(result.Users[0].DstHostFilterSet, result.Users[2].DstHostFilterSet);
        Assert.Equal(AclAction.Forbid, result.Users[1].DstHostFilterSet!.Check("x.example"));
        Assert.Equal(AclAction.Permit, result.Users[2].DstHostFilterSet!.Check("x.example"));
    }
}
