using System.Net.Sockets;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's proxy_http and proxy_https keys (g3proxy/src/config/escaper/proxy_http.rs, proxy_https.rs).</summary>
internal static class ProxyHttpEscaperParser
{
    private static readonly KeyTable<EscaperConfig> HttpKeys = CommonKeys(new KeyTable<EscaperConfig>());

    private static readonly KeyTable<EscaperConfig> HttpsKeys = CommonKeys(new KeyTable<EscaperConfig>())
        .On("tls_client", (c, v, s, _, k) => P(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("tls_name", (c, v, _) => P(c) with { TlsName = YamlValue.String(v, "a TLS name") });

    /// <summary>The keys for reaching a next hop, shared with divert_tcp (g3proxy/src/config/escaper/divert_tcp.rs).</summary>
    internal static KeyTable<EscaperConfig> NextHopKeys(KeyTable<EscaperConfig> t) => t
        .Skip("name|type")
        .NoEffect("shared_logger")
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) })
        .On("proxy_addr", (c, v, _) => P(c) with { ProxyAddr = WeightedParser.UpstreamList(v, ProxyHttpEscaperConfig.DefaultProxyPort) })
        .On("proxy_addr_pick_policy", (c, v, _) => P(c) with { ProxyAddrPickPolicy = SelectivePickPolicyParser.FromYaml(v) })
        .On("bind_ipv4", (c, v, _) => P(c) with { BindIpv4 = Family(SockAddrParser.Ip(v), AddressFamily.InterNetwork, v) })
        .On("bind_ipv6", (c, v, _) => P(c) with { BindIpv6 = Family(SockAddrParser.Ip(v), AddressFamily.InterNetworkV6, v) })
        .On("resolver", (c, v, _) => P(c) with { Resolver = YamlValue.String(v, "a resolver name") })
        .On("resolve_strategy", (c, v, _) => P(c) with { ResolveStrategy = ResolveStrategyParser.FromYaml(v) })
        .On("tcp_sock_speed_limit|tcp_conn_speed_limit|tcp_conn_limit|conn_limit",
            (c, v, _) => P(c) with { TcpSockSpeedLimit = TcpSockSpeedLimitParser.FromYaml(v) })
        .On("tcp_keepalive", (c, v, _) => P(c) with { TcpKeepalive = TcpKeepaliveParser.FromYaml(v) })
        .On("no_ipv4", (c, v, _) => P(c) with { NoIpv4 = YamlValue.Bool(v) })
        .On("no_ipv6", (c, v, _) => P(c) with { NoIpv6 = YamlValue.Bool(v) })
        .On("tcp_connect", (c, v, _) => P(c) with { TcpConnect = TcpConnectParser.FromYaml(v) })
        .On("happy_eyeballs", (c, v, _) => P(c) with { HappyEyeballs = HappyEyeballsParser.FromYaml(v) })
        .NotSupported("bind_interface|tcp_misc_opts");

    private static KeyTable<EscaperConfig> CommonKeys(KeyTable<EscaperConfig> t) => NextHopKeys(t)
        .On("proxy_username|proxy_user", (c, v, _) => P(c) with { ProxyUsername = YamlValue.String(v, "a username") })
        .On("proxy_password|proxy_passwd", (c, v, _) => P(c) with { ProxyPassword = YamlValue.String(v, "a password") })
        .On("http_forward_capability", (c, v, _) => P(c) with { HttpForwardCapability = Capability(v) })
        .On("http_connect_rsp_header_max_size", (c, v, _) => P(c) with { HttpConnectRspHeaderMaxSize = HumanSize.FromYamlInt32(v) })
        .On("pass_proxy_userid", (c, v, _) => P(c) with { PassProxyUserid = YamlValue.Bool(v) })
        .On("use_proxy_protocol", (c, v, _) => P(c) with { UseProxyProtocol = YamlValue.Int32(v, 1, 2) })
        .On("peer_negotiation_timeout", (c, v, _) => P(c) with { PeerNegotiationTimeout = HumanDuration.FromYaml(v) });

    public static EscaperConfig Parse(bool https, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        var seed = new ProxyHttpEscaperConfig { Name = name, Position = position, Https = https };
        var c = (ProxyHttpEscaperConfig)(https ? HttpsKeys : HttpKeys).Apply(seed, map, scope);
        return Check(c, map, scope);
    }

    private static ProxyHttpEscaperConfig P(EscaperConfig c) => (ProxyHttpEscaperConfig)c;

    internal static System.Net.IPAddress Family(System.Net.IPAddress ip, AddressFamily family, YamlNode at) =>
        ip.AddressFamily == family ? ip : throw new ConfigValueException($"{ip} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address", at);

    internal static HttpForwardCapability Capability(YamlNode node)
    {
        var map = YamlValue.Map(node, "a map of forward_* flags");
        var c = HttpForwardCapability.None;
        foreach (var (key, k, v) in YamlValue.Entries(map))
        {
            var on = YamlValue.Bool(v);
            c = key switch
            {
                "forward_https" => c with { ForwardHttps = on },
                "forward_ftp" => c with { ForwardFtpGet = on, ForwardFtpPut = on, ForwardFtpDel = on },
                "forward_ftp_get" => c with { ForwardFtpGet = on },
                "forward_ftp_put" => c with { ForwardFtpPut = on },
                "forward_ftp_del" => c with { ForwardFtpDel = on },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return c;
    }

    /// <summary>g3's check(): an address, a usable family, a resolver for names, auth and userid passing exclusive.</summary>
    internal static ProxyHttpEscaperConfig Check(ProxyHttpEscaperConfig c, YamlMappingNode map, EntryScope scope)
    {
        if (c.ProxyAddr.Count == 0) scope.Error(map, "proxy_addr", "missing required key 'proxy_addr'");
        if (c.Https && c.TlsClient is null) scope.Error(map, "tls_client", "missing required key 'tls_client'");
        if (c.ProxyUsername is not null && c.PassProxyUserid)
            scope.Error(map, "pass_proxy_userid", "pass_proxy_userid conflicts with proxy_username (the next proxy needs real auth)");
        if (c.NoIpv4 && c.NoIpv6)
        {
            scope.Error(map, "no_ipv4", "both no_ipv4 and no_ipv6 are set");
            return c;
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
        return c;
    }
}
