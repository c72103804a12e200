using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's route escaper keys (g3proxy/src/config/escaper/route_*.rs).</summary>
internal static class RouteEscaperParser
{
    private static KeyTable<EscaperConfig> Base() => new KeyTable<EscaperConfig>()
        .Skip("name|type")
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) });

    private static readonly KeyTable<EscaperConfig> FailoverKeys = Base()
        .On("primary_next|primary", (c, v, _) => (RouteFailoverEscaperConfig)c with { Primary = Name(v) })
        .On("standby_next|standby", (c, v, _) => (RouteFailoverEscaperConfig)c with { Standby = Name(v) })
        .On("fallback_delay|delay|fallback_timeout|timeout", (c, v, _) => (RouteFailoverEscaperConfig)c with { FallbackDelay = HumanDuration.FromYaml(v) });

    private static readonly KeyTable<EscaperConfig> UpstreamKeys = Base()
        .On("exact_match|exact_rules", (c, v, _) => U(c) with { Exact = RouteRuleParser.Parse(v, "hosts", RouteRuleParser.Host) })
        .On("subnet_match|subnet_rules", (c, v, _) => U(c) with { Subnet = RouteRuleParser.Parse(v, "subnets", RouteRuleParser.Network) })
        .On("child_match|child_rules", (c, v, _) => U(c) with { Child = RouteRuleParser.Parse(v, "domains", RouteRuleParser.Domain) })
        .On("suffix_match|suffix_rules|radix_match|radix_rules", (c, v, _) => U(c) with { Suffix = RouteRuleParser.Parse(v, "suffixes", RouteRuleParser.Domain) })
        .On("regex_match|regex_rules", (c, v, _) => U(c) with { Regex = RouteRuleParser.Parse(v, "rules", RouteRuleParser.Regex) })
        .On("default_next", (c, v, _) => U(c) with { DefaultNext = Name(v) });

    private static readonly KeyTable<EscaperConfig> ClientKeys = Base()
        .On("exact_match", (c, v, _) => (RouteClientEscaperConfig)c with { Exact = RouteRuleParser.Parse(v, "ips", SockAddrParser.Ip) })
        .On("subnet_match", (c, v, _) => (RouteClientEscaperConfig)c with { Subnet = RouteRuleParser.Parse(v, "subnets", RouteRuleParser.Network) })
        .On("default_next", (c, v, _) => (RouteClientEscaperConfig)c with { DefaultNext = Name(v) });

    private static readonly KeyTable<EscaperConfig> ResolvedKeys = Base()
        .On("resolver", (c, v, _) => R(c) with { Resolver = Name(v) })
        .On("resolve_strategy", (c, v, _) => R(c) with { ResolveStrategy = ResolveStrategyParser.FromYaml(v) })
        .On("resolution_delay", (c, v, _) => R(c) with { ResolutionDelay = HumanDuration.FromYaml(v) })
        .On("lpm_match", (c, v, _) => R(c) with { Lpm = RouteRuleParser.Parse(v, "networks", RouteRuleParser.Network) })
        .On("default_next", (c, v, _) => R(c) with { DefaultNext = Name(v) });

    private static readonly KeyTable<EscaperConfig> SelectKeys = Base()
        .On("next_nodes", (c, v, _) => (RouteSelectEscaperConfig)c with { NextNodes = WeightedParser.NameList(v) })
        .On("next_pick_policy", (c, v, _) => (RouteSelectEscaperConfig)c with { NextPickPolicy = SelectivePickPolicyParser.FromYaml(v) });

    private static readonly KeyTable<EscaperConfig> MappingKeys = Base()
        .On("next", (c, v, _) => (RouteMappingEscaperConfig)c with { Next = YamlValue.List(v).Select(Name).ToList() });

    private static readonly KeyTable<EscaperConfig> TrickFloatKeys = Base()
        .On("next", (c, v, _) => (TrickFloatEscaperConfig)c with { Next = YamlValue.List(v).Select(Name).Distinct().ToList() });

    private static readonly KeyTable<EscaperConfig> QueryKeys = Base()
        .On("query_pass_client_ip", (c, v, _) => Q(c) with { QueryPassClientIp = YamlValue.Bool(v) })
        .On("query_allowed_next", (c, v, _) => Q(c) with { QueryAllowedNext = DistinctNames(v) })
        .On("fallback_node", (c, v, _) => Q(c) with { FallbackNode = Name(v) })
        .On("cache_request_batch_count", (c, v, _) => Q(c) with { CacheRequestBatchCount = YamlValue.Int32(v, 1) })
        .On("cache_request_timeout", (c, v, _) => Q(c) with { CacheRequestTimeout = HumanDuration.FromYaml(v) })
        .On("cache_pick_policy", (c, v, _) => Q(c) with { CachePickPolicy = SelectivePickPolicyParser.FromYaml(v) })
        .On("query_peer_addr|query_peer_address", (c, v, _) => Q(c) with { QueryPeerAddr = SockAddrParser.FromYaml(v, 1053) })
        .On("query_socket_buffer", (c, v, _) => Q(c) with { QuerySocketBuffer = SocketBufferConfig.FromYaml(v) })
        .On("query_wait_timeout", (c, v, _) => Q(c) with { QueryWaitTimeout = HumanDuration.FromYaml(v) })
        .On("protective_cache_ttl", (c, v, _) => Q(c) with { ProtectiveCacheTtl = U32(v) })
        .On("maximum_cache_ttl", (c, v, _) => Q(c) with { MaximumCacheTtl = U32(v) })
        .On("cache_vanish_wait|vanish_after_expired", (c, v, _) => Q(c) with { CacheVanishWait = HumanDuration.FromYaml(v) });

    private static readonly KeyTable<EscaperConfig> GeoIpKeys = Base()
        .On("resolver", (c, v, _) => G(c) with { Resolver = Name(v) })
        .On("resolve_strategy", (c, v, _) => G(c) with { ResolveStrategy = ResolveStrategyParser.FromYaml(v) })
        .On("resolution_delay", (c, v, _) => G(c) with { ResolutionDelay = HumanDuration.FromYaml(v) })
        .On("ip_locate_service", (c, v, _) => G(c) with { IpLocateService = GeoRuleParser.Service(v) })
        .On("geo_rules|geo_match", (c, v, _) => GeoRuleParser.Rules(G(c), v))
        .On("default_next", (c, v, _) => G(c) with { DefaultNext = Name(v) });

    // no extra_metrics_tags: g3's comply_audit takes only these two keys
    private static readonly KeyTable<EscaperConfig> ComplyAuditKeys = new KeyTable<EscaperConfig>()
        .Skip("name|type")
        .On("next", (c, v, _) => (ComplyAuditEscaperConfig)c with { Next = Name(v) })
        .On("auditor", (c, v, _) => (ComplyAuditEscaperConfig)c with { Auditor = YamlValue.String(v, "an auditor name") });

    public static EscaperConfig Parse(string type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        switch (type)
        {
            case "route_failover":
            {
                var c = (RouteFailoverEscaperConfig)FailoverKeys.Apply(new RouteFailoverEscaperConfig { Name = name, Position = position }, map, scope);
                Require(c.Primary, "primary_next", map, scope);
                Require(c.Standby, "standby_next", map, scope);
                return c;
            }
            case "route_upstream":
            {
                var c = UpstreamKeys.Apply(new RouteUpstreamEscaperConfig { Name = name, Position = position }, map, scope);
                Require(U(c).DefaultNext, "default_next", map, scope);
                return c;
            }
            case "route_client":
            {
                var c = (RouteClientEscaperConfig)ClientKeys.Apply(new RouteClientEscaperConfig { Name = name, Position = position }, map, scope);
                Require(c.DefaultNext, "default_next", map, scope);
                return c;
            }
            case "route_resolved":
            {
                var c = R(ResolvedKeys.Apply(new RouteResolvedEscaperConfig { Name = name, Position = position }, map, scope));
                Require(c.Resolver ?? "", "resolver", map, scope);
                Require(c.DefaultNext, "default_next", map, scope);
                return c;
            }
            case "route_select":
            {
                var c = (RouteSelectEscaperConfig)SelectKeys.Apply(new RouteSelectEscaperConfig { Name = name, Position = position }, map, scope);
                if (c.NextNodes.Count == 0) scope.Error(map, "next_nodes", "missing required key 'next_nodes'");
                return c;
            }
            case "route_mapping":
            {
                var c = (RouteMappingEscaperConfig)MappingKeys.Apply(new RouteMappingEscaperConfig { Name = name, Position = position }, map, scope);
                if (c.Next.Count == 0) scope.Error(map, "next", "missing required key 'next'");
                return c;
            }
            case "trick_float":
            {
                var c = (TrickFloatEscaperConfig)TrickFloatKeys.Apply(new TrickFloatEscaperConfig { Name = name, Position = position }, map, scope);
                if (c.Next.Count == 0) scope.Error(map, "next", "missing required key 'next'");
                return c;
            }
            case "route_query":
            {
                var c = Q(QueryKeys.Apply(new RouteQueryEscaperConfig { Name = name, Position = position }, map, scope));
                if (c.QueryAllowedNext.Count == 0) scope.Error(map, "query_allowed_next", "missing required key 'query_allowed_next'");
                Require(c.FallbackNode, "fallback_node", map, scope);
                return c;
            }
            case "route_geoip":
            {
                var c = G(GeoIpKeys.Apply(new RouteGeoIpEscaperConfig { Name = name, Position = position }, map, scope));
                Require(c.Resolver ?? "", "resolver", map, scope);
                Require(c.DefaultNext, "default_next", map, scope);
                return c;
            }
            case "comply_audit":
            {
                var c = (ComplyAuditEscaperConfig)ComplyAuditKeys.Apply(new ComplyAuditEscaperConfig { Name = name, Position = position }, map, scope);
                Require(c.Next, "next", map, scope);
                Require(c.Auditor, "auditor", map, scope);
                return c;
            }
            default:
                throw new InvalidOperationException($"no parser for route escaper type {type}");
        }
    }

    private static string Name(YamlNode v) => YamlValue.String(v, "an escaper name");
    private static RouteUpstreamEscaperConfig U(EscaperConfig c) => (RouteUpstreamEscaperConfig)c;
    private static RouteResolvedEscaperConfig R(EscaperConfig c) => (RouteResolvedEscaperConfig)c;
    private static RouteQueryEscaperConfig Q(EscaperConfig c) => (RouteQueryEscaperConfig)c;
    private static RouteGeoIpEscaperConfig G(EscaperConfig c) => (RouteGeoIpEscaperConfig)c;
    private static uint U32(YamlNode v) => (uint)YamlValue.Integer(v, 0, uint.MaxValue, "a u32");

    /// <summary>A list of escaper names, each once (g3 refuses a duplicate).</summary>
    private static IReadOnlyList<string> DistinctNames(YamlNode v)
    {
        var names = new List<string>();
        foreach (var item in YamlValue.List(v))
        {
            var name = Name(item);
            if (names.Contains(name)) throw new ConfigValueException($"found duplicate next node: {name}", item);
            names.Add(name);
        }
        return names;
    }

    private static void Require(string value, string key, YamlMappingNode map, EntryScope scope)
    {
        if (value.Length == 0) scope.Error(map, key, $"missing required key '{key}'");
    }
}
