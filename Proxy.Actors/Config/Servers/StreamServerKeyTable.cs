using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>The keys of g3's tcp_stream, tls_stream, tcp_tproxy and sni_proxy, and their checks.</summary>
internal static class StreamServerKeyTable
{
    private static readonly KeyTable<SniHostConfig> SniHostKeys = new KeyTable<SniHostConfig>()
        .Skip(HostMatchParser.ReservedKeys)
        .On("redirect_host", (c, v, _) => c with { RedirectHost = YamlValue.String(v, "a host").Trim() })
        .On("redirect_port", (c, v, _) => c with { RedirectPort = YamlValue.Int32(v, 1, 65535) });

    private static readonly KeyTable<ServerConfig> TcpStreamKeys = Stream(Audited());

    private static readonly KeyTable<ServerConfig> TlsStreamKeys = Stream(Audited())
        .On("tls_server|tls", (c, v, s, _, k) => c with { TlsServer = TlsServerParser.FromYaml(v, s, k) });

    private static readonly KeyTable<ServerConfig> TProxyKeys = Audited()
        .FalseOnly("auth_by_client_ip|auth_by_server_ip");

    private static readonly KeyTable<ServerConfig> SniKeys = Audited()
        .FalseOnly("auth_by_client_ip|auth_by_server_name")
        .On("tls_max_client_hello_size", (c, v, _) => Sni(c) with { TlsMaxClientHelloSize = YamlValue.Int32(v, 512, 1 << 24) })
        .On("request_wait_timeout", (c, v, _) => Sni(c) with { RequestWaitTimeout = HumanDuration.FromYaml(v) })
        .On("request_recv_timeout", (c, v, _) => Sni(c) with { RequestRecvTimeout = HumanDuration.FromYaml(v) })
        .On("allowed_hosts|allowed_sites", (c, v, s) => Sni(c) with
        {
            AllowedHosts = HostMatchParser.FromYaml(v, map => SniHostKeys.Apply(new SniHostConfig(null, null), map, s)),
        })
        .NotSupported("protocol_inspection|server_tcp_portmap|client_tcp_portmap|listen_transparent");

    public static ServerConfig Parse(string type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        ServerConfig parsed = type switch
        {
            "tcp_stream" => TcpStreamKeys.Apply(new TcpStreamServerConfig { Name = name, Position = position }, map, scope),
            "tls_stream" => TlsStreamKeys.Apply(new TlsStreamServerConfig { Name = name, Position = position }, map, scope),
            "tcp_tproxy" => TProxyKeys.Apply(new TcpTProxyServerConfig { Name = name, Position = position }, map, scope),
            _ => SniKeys.Apply(new SniProxyServerConfig { Name = name, Position = position }, map, scope),
        };
        if (parsed.Escaper is null) scope.Error(map, "escaper", "missing required key 'escaper'");
        switch (parsed)
        {
            case StreamServerConfig stream:
                if (stream.Upstream.Count == 0) scope.Error(map, "upstream", "missing required key 'upstream'");
                if (stream is TlsStreamServerConfig && stream.TlsServer is null) scope.Error(map, "tls_server", "missing required key 'tls_server'");
                // g3: without upstream_tls_name, the first upstream's host is the name verified.
                if (stream.TlsClient is not null && stream.UpstreamTlsName is null && stream.Upstream.Count > 0)
                    parsed = stream with { UpstreamTlsName = stream.Upstream[0].Value.Host };
                break;
            case TcpTProxyServerConfig:
                if (parsed.Listen is null) scope.Error(map, "listen", "missing required key 'listen'");
                else parsed = parsed with { Listen = parsed.Listen with { Transparent = true } };
                break;
        }
        return parsed;
    }

    /// <summary>All four stream servers take g3's common <c>auditor</c> key.</summary>
    private static KeyTable<ServerConfig> Audited() => ServerParser.BaseKeys()
        .On("auditor", (c, v, _) => c with { Auditor = YamlValue.String(v, "an auditor name") });

    private static KeyTable<ServerConfig> Stream(KeyTable<ServerConfig> keys) => keys
        .FalseOnly("auth_by_client_ip|auth_by_server_ip")
        .On("upstream|proxy_pass", (c, v, _) => S(c) with { Upstream = WeightedParser.UpstreamList(v, 0) })
        .On("upstream_pick_policy", (c, v, _) => S(c) with { UpstreamPickPolicy = SelectivePickPolicyParser.FromYaml(v) })
        .On("tls_client", (c, v, s, _, k) => S(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("upstream_tls_name", (c, v, _) => S(c) with { UpstreamTlsName = YamlValue.String(v, "a TLS server name").Trim() });

    private static StreamServerConfig S(ServerConfig c) => (StreamServerConfig)c;
    private static SniProxyServerConfig Sni(ServerConfig c) => (SniProxyServerConfig)c;
}
