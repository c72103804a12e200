using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>The keys of g3's front ports: plain_tcp_port, plain_tls_port, native_tls_port and intelli_proxy.</summary>
internal static class PortServerKeyTable
{
    /// <summary>What every front port accepts besides where it sends connections.</summary>
    private static KeyTable<ServerConfig> Front() => new KeyTable<ServerConfig>()
        .Skip("name|type")
        .On("listen", (c, v, s) => c with { Listen = TcpListenParser.FromYaml(v, s) })
        .On("listen_in_worker", (c, v, _) => c with { ListenInWorker = YamlValue.Bool(v) })
        .On("ingress_network_filter|ingress_net_filter", (c, v, _) => c with { IngressNetworkFilter = NetworkAclParser.Ingress(v) })
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) })
        .NoEffect("shared_logger");

    public static KeyTable<ServerConfig> Tcp() => Front()
        .On("server", (c, v, _) => Port(c) with { NextServer = YamlValue.String(v, "a server name") })
        .On("proxy_protocol", (c, v, _, _, k) => Port(c) with { ProxyProtocol = ProxyProtocolVersion(v) })
        .On("proxy_protocol_read_timeout", (c, v, _) => Port(c) with { ProxyProtocolReadTimeout = HumanDuration.FromYaml(v) });

    public static KeyTable<ServerConfig> Tls() => Tcp()
        .On("tls_server", (c, v, s, _, k) => c with { TlsServer = TlsServerParser.FromYaml(v, s, k) })
        .On("tls_ticketer", (_, _, _, key, k) => throw TlsTicketerRefusal.At(key, k))
        .NotSupported("tlcp_cert_pairs");

    /// <summary>g3's intelli_proxy: a port of its own kind, with two next servers picked by protocol.</summary>
    public static KeyTable<ServerConfig> Intelli() => Front()
        .On("http_server", (c, v, _) => Intelli(c) with { HttpServer = YamlValue.String(v, "a server name") })
        .On("socks_server", (c, v, _) => Intelli(c) with { SocksServer = YamlValue.String(v, "a server name") })
        .On("protocol_detection_timeout", (c, v, _) => Intelli(c) with { ProtocolDetectionTimeout = HumanDuration.FromYaml(v) })
        .On("proxy_protocol", (c, v, _) => Intelli(c) with { ProxyProtocol = ProxyProtocolVersion(v) })
        .On("proxy_protocol_read_timeout", (c, v, _) => Intelli(c) with { ProxyProtocolReadTimeout = HumanDuration.FromYaml(v) });

    private static IntelliProxyServerConfig Intelli(ServerConfig c) => (IntelliProxyServerConfig)c;

    /// <summary>g3 reads a number (1, 2); its user guide also writes v1/v2.</summary>
    private static int ProxyProtocolVersion(YamlNode v)
    {
        var text = YamlValue.String(v, "1 or 2").Trim().ToLowerInvariant().TrimStart('v');
        return text switch
        {
            "1" => 1,
            "2" => 2,
            _ => throw YamlValue.Expected("PROXY protocol version 1 or 2 (or v1/v2)", v),
        };
    }

    private static PortServerConfig Port(ServerConfig c) => (PortServerConfig)c;
}
