using System.Net.Sockets;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>
/// The keys every chaining escaper shares (g3's proxy_http.rs, proxy_https.rs, proxy_socks5.rs and
/// proxy_socks5s.rs read the same way), and g3's shared check(): an address, a usable family, a
/// resolver when an address is a name, tls_client on the TLS types.
/// </summary>
internal static class NextProxyKeyTable
{
    /// <param name="tls">The TLS types: tls_client (alias tls) and tls_name.</param>
    /// <param name="negotiation">Proxies that are talked to (all but divert_tcp): proxy_username/proxy_password, peer_negotiation_timeout.</param>
    public static KeyTable<EscaperConfig> Keys(bool tls, bool negotiation = true)
    {
        var t = new KeyTable<EscaperConfig>()
            .Skip("name|type")
            .NoEffect("shared_logger")
            .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) })
            .On("proxy_addr", (c, v, _) => N(c) with { ProxyAddr = WeightedParser.UpstreamList(v, N(c).ProxyAddrDefaultPort) })
            .On("proxy_addr_pick_policy", (c, v, _) => N(c) with { ProxyAddrPickPolicy = SelectivePickPolicyParser.FromYaml(v) })
            .On("bind_ipv4", (c, v, _) => N(c) with { BindIpv4 = Family(SockAddrParser.Ip(v), AddressFamily.InterNetwork, v) })
            .On("bind_ipv6", (c, v, _) => N(c) with { BindIpv6 = Family(SockAddrParser.Ip(v), AddressFamily.InterNetworkV6, v) })
            .On("resolver", (c, v, _) => N(c) with { Resolver = YamlValue.String(v, "a resolver name") })
            .On("resolve_strategy", (c, v, _) => N(c) with { ResolveStrategy = ResolveStrategyParser.FromYaml(v) })
            .On("tcp_sock_speed_limit|tcp_conn_speed_limit|tcp_conn_limit|conn_limit",
                (c, v, _) => N(c) with { TcpSockSpeedLimit = TcpSockSpeedLimitParser.FromYaml(v) })
            .On("tcp_keepalive", (c, v, _) => N(c) with { TcpKeepalive = TcpKeepaliveParser.FromYaml(v) })
            .On("no_ipv4", (c, v, _) => N(c) with { NoIpv4 = YamlValue.Bool(v) })
            .On("no_ipv6", (c, v, _) => N(c) with { NoIpv6 = YamlValue.Bool(v) })
            .On("tcp_connect", (c, v, _) => N(c) with { TcpConnect = TcpConnectParser.FromYaml(v) })
            .On("happy_eyeballs", (c, v, _) => N(c) with { HappyEyeballs = HappyEyeballsParser.FromYaml(v) })
            .On("bind_interface", (c, v, _) => N(c) with { BindInterface = InterfaceNameParser.FromYaml(v) })
            .On("tcp_misc_opts", (c, v, _) => N(c) with { TcpMiscOpts = MiscSockOptsParser.Tcp(v) });
        if (negotiation)
            t = t
                .On("proxy_username|proxy_user", (c, v, _) => N(c) with { ProxyUsername = YamlValue.String(v, "a username") })
                .On("proxy_password|proxy_passwd", (c, v, _) => N(c) with { ProxyPassword = YamlValue.String(v, "a password") })
                .On("peer_negotiation_timeout", (c, v, _) => N(c) with { PeerNegotiationTimeout = HumanDuration.FromYaml(v) });
        if (!tls) return t;
        return t
            .On("tls_client|tls", (c, v, s, _, k) => N(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
            .On("tls_name", (c, v, _) => N(c) with { TlsName = YamlValue.String(v, "a TLS name") });
    }

    private static NextProxyEscaperConfig N(EscaperConfig c) => (NextProxyEscaperConfig)c;

    internal static System.Net.IPAddress Family(System.Net.IPAddress ip, AddressFamily family, YamlNode at) =>
        ip.AddressFamily == family ? ip : throw new ConfigValueException($"{ip} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address", at);

    /// <summary>g3's check(): an address, a usable family, a resolver for names, tls_client on the TLS types.</summary>
    public static void Check(NextProxyEscaperConfig c, bool tls, YamlMappingNode map, EntryScope scope)
    {
        if (c.ProxyAddr.Count == 0) scope.Error(map, "proxy_addr", "missing required key 'proxy_addr'");
        if (tls && c.TlsClient is null) scope.Error(map, "tls_client", "missing required key 'tls_client'");
        if (c.NoIpv4 && c.NoIpv6)
        {
            scope.Error(map, "no_ipv4", "both no_ipv4 and no_ipv6 are set");
            return;
        }
        var anyDomain = false;
        foreach (var addr in c.ProxyAddr.Select(w => w.Value))
        {
            if (addr.Ip is not { } ip) anyDomain = true;
            else if (ip.AddressFamily == AddressFamily.InterNetwork && c.NoIpv4)
                scope.Error(map, "proxy_addr", $"no_ipv4 is set but proxy_addr {addr} is IPv4");
            else if (ip.AddressFamily == AddressFamily.InterNetworkV6 && c.NoIpv6)
                scope.Error(map, "proxy_addr", $"no_ipv6 is set but proxy_addr {addr} is IPv6");
        }
        if (anyDomain && c.Resolver is null) scope.Error(map, "resolver", "missing required key 'resolver' (proxy_addr holds a domain)");
        var query = c.ResolveStrategy.Query;
        if ((c.NoIpv4 && query == ResolveQuery.Ipv4Only) || (c.NoIpv6 && query == ResolveQuery.Ipv6Only))
            scope.Error(map, "resolve_strategy", $"resolve_strategy {query} conflicts with no_ipv4/no_ipv6");
    }
}
