using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Users.Tokens;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>
/// A user map (g3proxy/src/config/auth/user/yaml.rs and json.rs share the schema). Errors name the
/// file, line, entry (<c>user_group 'g' user 'alice'</c>) and key.
/// </summary>
internal static class UserParser
{
    private static readonly KeyTable<UserConfig> Keys = new KeyTable<UserConfig>()
        .On("name", (c, v, _) => c with { Name = YamlValue.String(v, "a user name") })
        .On("token", (c, v, _) => c with { Token = TokenParser.FromYaml(v) })
        .On("match_by_facts", (c, v, _) => c with { MatchByFacts = UserSubParsers.Facts(v) })
        .On("expire", (c, v, _) => c with { Expire = Rfc3339(v) })
        .On("block_and_delay", (c, v, _) => c with { BlockAndDelay = HumanDuration.FromYaml(v) })
        .On("tcp_connect", (c, v, _) => c with { TcpConnect = TcpConnectParser.FromYaml(v) })
        .On("tcp_sock_speed_limit|tcp_conn_speed_limit|tcp_conn_limit", (c, v, _) => c with { TcpSockSpeedLimit = TcpSockSpeedLimitParser.FromYaml(v) })
        .On("udp_sock_speed_limit|udp_relay_speed_limit|udp_relay_limit", (c, v, _) => c with { UdpSockSpeedLimit = UdpSockSpeedLimitParser.FromYaml(v) })
        .On("tcp_all_upload_speed_limit", (c, v, _) => c with { TcpAllUploadSpeedLimit = GlobalSpeedLimitParser.Stream(v) })
        .On("tcp_all_download_speed_limit", (c, v, _) => c with { TcpAllDownloadSpeedLimit = GlobalSpeedLimitParser.Stream(v) })
        .On("udp_all_upload_speed_limit", (c, v, _) => c with { UdpAllUploadSpeedLimit = GlobalSpeedLimitParser.Datagram(v) })
        .On("udp_all_download_speed_limit", (c, v, _) => c with { UdpAllDownloadSpeedLimit = GlobalSpeedLimitParser.Datagram(v) })
        .On("tcp_remote_keepalive", (c, v, _) => c with { TcpRemoteKeepalive = TcpKeepaliveParser.FromYaml(v) })
        .On("tcp_remote_misc_opts", (c, v, _) => c with { TcpRemoteMiscOpts = MiscSockOptsParser.Tcp(v) })
        .On("udp_remote_misc_opts", (c, v, _) => c with { UdpRemoteMiscOpts = MiscSockOptsParser.Udp(v) })
        .On("tcp_client_misc_opts", (c, v, _) => c with { TcpClientMiscOpts = MiscSockOptsParser.Tcp(v) })
        .On("udp_client_misc_opts", (c, v, _) => c with { UdpClientMiscOpts = MiscSockOptsParser.Udp(v) })
        .On("http_upstream_keepalive", (c, v, _) => c with { HttpUpstreamKeepalive = HttpKeepaliveParser.FromYaml(v) })
        .On("http_rsp_header_recv_timeout", (c, v, _) => c with { HttpRspHeaderRecvTimeout = HumanDuration.FromYaml(v) })
        .On("connection_rate_limit|tcp_conn_rate_limit|tcp_conn_limit_quota", (c, v, _) => c with { ConnectionRateLimit = RateLimitQuotaParser.FromYaml(v) })
        .On("request_rate_limit|request_limit_quota", (c, v, _) => c with { RequestRateLimit = RateLimitQuotaParser.FromYaml(v) })
        .On("request_max_alive|request_alive_max", (c, v, _) => c with { RequestMaxAlive = YamlValue.Int32(v) })
        .On("ingress_network_filter|ingress_net_filter", (c, v, _) => c with { IngressNetworkFilter = NetworkAclParser.Ingress(v) })
        .On("proxy_request_filter", (c, v, _) => c with { ProxyRequestFilter = RequestAclParsers.ProxyRequest(v) })
        .On("dst_host_filter_set", (c, v, _) => c with { DstHostFilterSet = HostAclSetParser.Parse(v) })
        .On("dst_port_filter", (c, v, _) => c with { DstPortFilter = PortAclParser.Parse(v) })
        .On("http_user_agent_filter", (c, v, _) => c with { HttpUserAgentFilter = RequestAclParsers.UserAgent(v) })
        .On("resolve_strategy", (c, v, _) => c with { ResolveStrategy = ResolveStrategyParser.FromYaml(v) })
        .On("resolve_redirection", (c, v, _) => c with { ResolveRedirection = UserSubParsers.ResolveRedirection(v) })
        .On("log_rate_limit|log_limit_quota", (c, v, _) => c with { LogRateLimit = RateLimitQuotaParser.FromYaml(v) })
        .On("log_uri_max_chars|uri_log_max_chars", (c, v, _) => c with { LogUriMaxChars = YamlValue.Int32(v) })
        .On("task_idle_max_count", (c, v, _) => c with { TaskIdleMaxCount = YamlValue.Int32(v) })
        .On("socks_use_udp_associate", (c, v, _) => c with { SocksUseUdpAssociate = YamlValue.Bool(v) })
        .On("explicit_sites", (c, v, s) => c with { ExplicitSites = Sites(v, s) })
        .On("audit", (c, v, _) => c with { Audit = UserSubParsers.Audit(v) })
        .On("egress_path_id_map", (c, v, _) => c with { EgressPathIdMap = UserSubParsers.EgressPathIds(v) })
        .On("egress_path_value_map", (c, v, _) => c with { EgressPathValueMap = UserSubParsers.EgressPathValues(v) });

    /// <summary>
    /// One user; null (with the errors reported) when it has no name or a key is bad.
    /// <paramref name="groupEntry"/> prefixes the entry name, e.g. <c>user_group 'g'</c>.
    /// </summary>
    public static UserConfig? Parse(YamlNode node, EntryScope scope, string groupEntry, string role = "user")
    {
        if (node is not YamlMappingNode map)
        {
            scope.Error(node, role, $"expected a user map, got {YamlValue.Describe(node)}");
            return null;
        }
        var name = NameOf(map);
        var userScope = scope.ForEntry($"{groupEntry} {role} '{name ?? "(unnamed)"}'");
        var before = scope.ErrorCount;
        var user = Keys.Apply(new UserConfig { Name = name ?? "" }, map, userScope);
        if (user.Name.Length == 0) userScope.Error(map, "name", "missing required key 'name'");
        CheckSites(user, map, userScope);
        return scope.ErrorCount == before ? user : null;
    }

    private static string? NameOf(YamlMappingNode map)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode { Value: { } raw } && YamlKey.Normalize(raw) == "name" && v is YamlScalarNode { Value: { } n } && !YamlValue.IsNull(v))
                return n;
        return null;
    }

    private static IReadOnlyList<UserSiteConfig> Sites(YamlNode node, EntryScope scope)
    {
        if (node is not YamlSequenceNode seq) throw YamlValue.Expected("a list of sites", node);
        return seq.Children.Select(n => UserSubParsers.Site(n, scope)).ToList();
    }

    /// <summary>As g3's check(): a site id, host, domain or subnet may be claimed by one site only.</summary>
    private static void CheckSites(UserConfig user, YamlMappingNode map, EntryScope scope)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var site in user.ExplicitSites)
        {
            if (!seen.Add("id:" + site.Id)) scope.Error(map, "explicit_sites", $"duplicate config for user site group {site.Id}");
            foreach (var h in site.ExactMatch)
                if (!seen.Add("exact:" + h)) scope.Error(map, "explicit_sites", $"exact match {h} in site group {site.Id} has already been added by others");
            foreach (var d in site.ChildMatch)
                if (!seen.Add("child:" + d)) scope.Error(map, "explicit_sites", $"child domain {d} in site group {site.Id} has already been added by others");
            foreach (var n in site.SubnetMatch)
                if (!seen.Add("subnet:" + n)) scope.Error(map, "explicit_sites", $"subnet {n} in site group {site.Id} has already been added by others");
        }
    }

    private static DateTimeOffset Rfc3339(YamlNode node)
    {
        var text = YamlValue.String(node, "an RFC 3339 date-time");
        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var dt) && text.Contains('T', StringComparison.OrdinalIgnoreCase)
            ? dt
            : throw new ConfigValueException($"invalid rfc3339 datetime '{text}'", node);
    }

    /// <summary>The anonymous/unmanaged template: any password passes (g3 set_no_password).</summary>
    public static UserConfig? Template(YamlNode node, EntryScope scope, string groupEntry, string role) =>
        Parse(node, scope, groupEntry, role) is { } u ? u with { Token = PasswordToken.SkipVerify } : null;
}
