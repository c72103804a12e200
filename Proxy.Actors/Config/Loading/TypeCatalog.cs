namespace Proxy.Actors.Config.Loading;

internal enum ConfigFamily { Server, Escaper, Resolver, UserGroup }

/// <summary>One g3 type: its canonical snake_case name, aliases, and whether G3Actors builds it.</summary>
internal sealed record KnownType(ConfigFamily Family, string Canonical, bool Built, params string[] Aliases)
{
    /// <summary>Why an unbuilt type cannot be built here, when that is known.</summary>
    public string? Why { get; init; }
}

/// <summary>
/// Every g3proxy type of every family (reference sections 1.2, 2.2, 3), so a known-but-unbuilt type is
/// told apart from a typo. Names compare lower-cased with '_' and '-' removed, as g3 matches them.
/// </summary>
internal static class TypeCatalog
{
    private static readonly KnownType[] All =
    [
        new(ConfigFamily.Server, "dummy_close", true),
        new(ConfigFamily.Server, "http_proxy", true),
        new(ConfigFamily.Server, "socks_proxy", true),
        new(ConfigFamily.Server, "http_rproxy", true, "http_reverse_proxy", "http_gateway"),
        new(ConfigFamily.Server, "sni_proxy", true),
        new(ConfigFamily.Server, "tcp_stream", true),
        new(ConfigFamily.Server, "tls_stream", true),
        new(ConfigFamily.Server, "tcp_tproxy", true),
        new(ConfigFamily.Server, "plain_tcp_port", true),
        new(ConfigFamily.Server, "plain_tls_port", true),
        new(ConfigFamily.Server, "native_tls_port", true),
        new(ConfigFamily.Server, "plain_quic_port", false) { Why = "System.Net.Quic needs libmsquic, which neither package source here serves" },
        new(ConfigFamily.Server, "intelli_proxy", true, "ppdp_tcp_port"),

        new(ConfigFamily.Escaper, "direct_fixed", true),
        new(ConfigFamily.Escaper, "dummy_deny", true),
        new(ConfigFamily.Escaper, "direct_float", true, "direct_dynamic"),
        new(ConfigFamily.Escaper, "divert_tcp", true),
        new(ConfigFamily.Escaper, "proxy_http", true),
        new(ConfigFamily.Escaper, "proxy_https", true),
        new(ConfigFamily.Escaper, "proxy_socks5", true),
        new(ConfigFamily.Escaper, "proxy_socks5s", true),
        new(ConfigFamily.Escaper, "proxy_float", true, "proxy_dynamic"),
        new(ConfigFamily.Escaper, "route_client", true),
        new(ConfigFamily.Escaper, "route_upstream", true),
        new(ConfigFamily.Escaper, "route_resolved", true, "route_dst_ip"),
        new(ConfigFamily.Escaper, "route_geoip", true),
        new(ConfigFamily.Escaper, "route_select", true),
        new(ConfigFamily.Escaper, "route_mapping", true),
        new(ConfigFamily.Escaper, "route_query", true),
        new(ConfigFamily.Escaper, "route_failover", true),
        new(ConfigFamily.Escaper, "trick_float", true),
        new(ConfigFamily.Escaper, "comply_audit", true),
        new(ConfigFamily.Escaper, "route_region", true),

        new(ConfigFamily.Resolver, "c_ares", true),
        new(ConfigFamily.Resolver, "deny_all", true),
        new(ConfigFamily.Resolver, "hickory", true, "trust_dns"),
        new(ConfigFamily.Resolver, "fail_over", true),

        new(ConfigFamily.UserGroup, "basic", true),
        new(ConfigFamily.UserGroup, "facts", true),
        new(ConfigFamily.UserGroup, "ldap", true),
    ];

    private static readonly Dictionary<(ConfigFamily, string), KnownType> ByName = BuildIndex();

    private static Dictionary<(ConfigFamily, string), KnownType> BuildIndex()
    {
        var index = new Dictionary<(ConfigFamily, string), KnownType>();
        foreach (var t in All)
            foreach (var name in t.Aliases.Prepend(t.Canonical))
                index[(t.Family, YamlKey.NormalizeTypeName(name))] = t;
        return index;
    }

    public static KnownType? Find(ConfigFamily family, string typeName) =>
        ByName.GetValueOrDefault((family, YamlKey.NormalizeTypeName(typeName)));

    public static IEnumerable<KnownType> Types(ConfigFamily family) => All.Where(t => t.Family == family);
}
