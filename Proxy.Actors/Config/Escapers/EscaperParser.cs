using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>Builds the escaper records of the types G3Actors has built.</summary>
internal static class EscaperParser
{
    private static readonly KeyTable<EscaperConfig> DummyDenyKeys = new KeyTable<EscaperConfig>()
        .Skip("name|type")
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) });

    /// <summary>The keys direct_fixed and direct_float share (g3proxy/src/config/escaper/direct_*.rs plus reference 2.1).</summary>
    private static KeyTable<EscaperConfig> DirectCommon(KeyTable<EscaperConfig> t) => t
        .Skip("name|type")
        .NoEffect("shared_logger")
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) })
        .On("resolver", (c, v, _) => Direct(c) with { Resolver = YamlValue.String(v, "a resolver name") })
        .On("resolve_strategy", (c, v, _) => Direct(c) with { ResolveStrategy = ResolveStrategyParser.FromYaml(v) })
        .On("egress_network_filter|egress_net_filter", (c, v, _) => Direct(c) with { EgressNetworkFilter = NetworkAclParser.Egress(v) })
        .On("tcp_sock_speed_limit|tcp_conn_speed_limit|tcp_conn_limit",
            (c, v, _) => Direct(c) with { TcpSockSpeedLimit = TcpSockSpeedLimitParser.FromYaml(v) })
        .On("tcp_keepalive", (c, v, _) => Direct(c) with { TcpKeepalive = TcpKeepaliveParser.FromYaml(v) })
        .On("no_ipv4", (c, v, _) => Direct(c) with { NoIpv4 = YamlValue.Bool(v) })
        .On("no_ipv6", (c, v, _) => Direct(c) with { NoIpv6 = YamlValue.Bool(v) })
        .On("tcp_connect", (c, v, _) => Direct(c) with { TcpConnect = TcpConnectParser.FromYaml(v) })
        .On("happy_eyeballs", (c, v, _) => Direct(c) with { HappyEyeballs = HappyEyeballsParser.FromYaml(v) })
        .On("resolve_redirection", (c, v, _) => Direct(c) with { ResolveRedirection = UserGroups.UserSubParsers.ResolveRedirection(v) })
        .On("tcp_misc_opts", (c, v, _) => Direct(c) with { TcpMiscOpts = MiscSockOptsParser.Tcp(v) })
        .On("udp_misc_opts", (c, v, _) => Direct(c) with { UdpMiscOpts = MiscSockOptsParser.Udp(v) })
        // validated, but nothing relays UDP yet, so the limit cannot apply: say so instead of refusing the config
        .On("udp_sock_speed_limit|udp_relay_speed_limit|udp_relay_limit", (c, v, s, key, k) =>
        {
            UdpSockSpeedLimitParser.Validate(v);
            s.Warn(k, key, $"key '{key}' has no effect in G3Actors (no UDP relay is built yet)");
            return c;
        });

    private static readonly KeyTable<EscaperConfig> DirectFixedKeys = DirectCommon(new KeyTable<EscaperConfig>())
        .On("bind_ip", (c, v, _) => Direct(c) with { BindIp = SockAddrParser.IpList(v) })
        .On("use_proxy_protocol", (c, v, _) => Direct(c) with { UseProxyProtocol = YamlValue.Int32(v, 1, 2) })
        .On("enable_path_selection", (c, v, _) => Direct(c) with { EnablePathSelection = YamlValue.Bool(v) })
        .FalseOnly("bind_foreign|bind_foreign_port")
        .On("bind_interface", (c, v, _) => Direct(c) with { BindInterface = InterfaceNameParser.FromYaml(v) });

    private static readonly KeyTable<EscaperConfig> DirectFloatKeys = DirectCommon(new KeyTable<EscaperConfig>())
        .On("cache_ipv4", (c, v, s) => (DirectFloatEscaperConfig)c with { CacheIpv4 = s.ResolvePath(YamlValue.String(v, "a file path")) })
        .On("cache_ipv6", (c, v, s) => (DirectFloatEscaperConfig)c with { CacheIpv6 = s.ResolvePath(YamlValue.String(v, "a file path")) });

    public static EscaperConfig Parse(KnownType type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        switch (type.Canonical)
        {
            case "dummy_deny":
                return DummyDenyKeys.Apply(new DummyDenyEscaperConfig { Name = name, Position = position }, map, scope);
            case "direct_fixed":
                var direct = (DirectFixedEscaperConfig)DirectFixedKeys.Apply(
                    new DirectFixedEscaperConfig { Name = name, Position = position }, map, scope);
                return Check(direct, map, scope);
            case "direct_float":
                var dynamic = (DirectFloatEscaperConfig)DirectFloatKeys.Apply(
                    new DirectFloatEscaperConfig { Name = name, Position = position, TcpKeepalive = TcpKeepaliveConfig.Default }, map, scope);
                return Check(dynamic, map, scope);
            case "proxy_float":
                return ProxyFloatEscaperParser.Parse(name, map, position, scope);
            case "proxy_http":
                return ProxyHttpEscaperParser.Parse(https: false, name, map, position, scope);
            case "proxy_https":
                return ProxyHttpEscaperParser.Parse(https: true, name, map, position, scope);
            case "divert_tcp":
                return DivertTcpEscaperParser.Parse(name, map, position, scope);
            case "proxy_socks5":
                return ProxySocks5EscaperParser.Parse(tls: false, name, map, position, scope);
            case "proxy_socks5s":
                return ProxySocks5EscaperParser.Parse(tls: true, name, map, position, scope);
            case "route_failover" or "route_upstream" or "route_client" or "route_resolved" or "route_select" or "route_mapping" or "trick_float"
                or "route_query" or "route_geoip" or "comply_audit":
                return RouteEscaperParser.Parse(type.Canonical, name, map, position, scope);
            case "route_region":
                return RouteRegionEscaperParser.Parse(name, map, position, scope);
            default:
                throw new InvalidOperationException($"no parser for built escaper type {type.Canonical}");
        }
    }

    private static DirectFixedEscaperConfig Direct(EscaperConfig c) => (DirectFixedEscaperConfig)c;

    /// <summary>g3's direct_fixed check(): resolver required, one family left, strategy consistent with it.</summary>
    private static DirectFixedEscaperConfig Check(DirectFixedEscaperConfig c, YamlMappingNode map, EntryScope scope)
    {
        // 'with' keeps the runtime type, so a direct_float config stays one.
        if (c.Resolver is null) scope.Error(map, "resolver", "missing required key 'resolver'");
        if (c.NoIpv4 && c.NoIpv6)
        {
            scope.Error(map, "no_ipv4", "both no_ipv4 and no_ipv6 are set");
            return c;
        }
        var query = c.ResolveStrategy.Query;
        if ((c.NoIpv4 && query == ResolveQuery.Ipv4Only) || (c.NoIpv6 && query == ResolveQuery.Ipv6Only))
        {
            scope.Error(map, "resolve_strategy", $"resolve_strategy {query} conflicts with no_ipv4/no_ipv6");
            return c;
        }
        // as g3's update_query_strategy: a disabled family turns the query into "only the other one"
        if (c.NoIpv4) return c with { ResolveStrategy = c.ResolveStrategy with { Query = ResolveQuery.Ipv6Only } };
        if (c.NoIpv6) return c with { ResolveStrategy = c.ResolveStrategy with { Query = ResolveQuery.Ipv4Only } };
        return query switch
        {
            ResolveQuery.Ipv4Only => c with { NoIpv6 = true },
            ResolveQuery.Ipv6Only => c with { NoIpv4 = true },
            _ => c,
        };
    }
}
