using System.Net.Sockets;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's proxy_float keys (sphinx/g3proxy/configuration/escapers/proxy_float.rst).</summary>
internal static class ProxyFloatEscaperParser
{
    private static readonly KeyTable<EscaperConfig> Keys = new KeyTable<EscaperConfig>()
        .Skip("name|type")
        .NoEffect("shared_logger")
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) })
        .On("source", (c, v, s) => Source(c, v, s))
        .On("cache", (c, v, s) => F(c) with { Cache = s.ResolvePath(YamlValue.String(v, "a file path")) })
        .On("refresh_interval", (c, v, _) => F(c) with { RefreshInterval = HumanDuration.FromYaml(v) })
        .On("bind_ipv4", (c, v, _) => F(c) with { BindIpv4 = NextProxyKeyTable.Family(SockAddrParser.Ip(v), AddressFamily.InterNetwork, v) })
        .On("bind_ipv6", (c, v, _) => F(c) with { BindIpv6 = NextProxyKeyTable.Family(SockAddrParser.Ip(v), AddressFamily.InterNetworkV6, v) })
        .On("tls_client", (c, v, s, _, k) => F(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("tcp_connect_timeout", (c, v, _) => F(c) with { TcpConnectTimeout = HumanDuration.FromYaml(v) })
        .On("tcp_keepalive", (c, v, _) => F(c) with { TcpKeepalive = TcpKeepaliveParser.FromYaml(v) })
        .On("expire_guard_duration", (c, v, _) => F(c) with { ExpireGuardDuration = HumanDuration.FromYaml(v) })
        .On("tcp_sock_speed_limit|tcp_conn_speed_limit|tcp_conn_limit|conn_limit",
            (c, v, _) => F(c) with { TcpSockSpeedLimit = TcpSockSpeedLimitParser.FromYaml(v) })
        .On("peer_negotiation_timeout", (c, v, _) => F(c) with { PeerNegotiationTimeout = HumanDuration.FromYaml(v) })
        .On("bind_interface", (c, v, _) => F(c) with { BindInterface = InterfaceNameParser.FromYaml(v) })
        .On("tcp_misc_opts", (c, v, _) => F(c) with { TcpMiscOpts = MiscSockOptsParser.Tcp(v) });

    public static EscaperConfig Parse(string name, YamlMappingNode map, ConfigPosition position, EntryScope scope) =>
        Keys.Apply(new ProxyFloatEscaperConfig { Name = name, Position = position }, map, scope);

    private static ProxyFloatEscaperConfig F(EscaperConfig c) => (ProxyFloatEscaperConfig)c;

    /// <summary>null, "passive" or <c>{type: passive}</c>; a redis url or <c>{type: redis, ...}</c>.</summary>
    private static EscaperConfig Source(EscaperConfig c, YamlNode v, EntryScope scope)
    {
        if (YamlValue.IsNull(v)) return c;
        var type = v is YamlMappingNode map
            ? YamlValue.Entries(map).Where(e => e.Key == "type").Select(e => YamlValue.String(e.Value, "a source type")).FirstOrDefault()
                ?? throw new ConfigValueException("a source map needs 'type'", v)
            : YamlValue.String(v, "a source url or map");
        if (type.Equals("passive", StringComparison.OrdinalIgnoreCase)) return c;
        if (type.Equals("redis", StringComparison.OrdinalIgnoreCase) || type.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
            return F(c) with { Redis = ProxyFloatRedisSource.FromYaml(v, scope) };
        // g3 knows no rediss:// scheme (TLS is the map form's tls_client); say how to get it
        if (type.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            throw new ConfigValueException("unsupported url scheme: rediss (use the map form with tls_client)", v);
        throw new ConfigValueException($"unknown source '{type}'", v);
    }
}
