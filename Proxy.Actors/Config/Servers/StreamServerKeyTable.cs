using Proxy.Actors.Config.Auditors;
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

    private static readonly KeyTable<ServerConfig> TProxyKeys = Auth(Audited(), "auth_by_client_ip|auth_by_server_ip");

    private static readonly KeyTable<ServerConfig> SniKeys = Auth(Audited(), "auth_by_client_ip|auth_by_server_name")
        .On("tls_max_client_hello_size", (c, v, _) => Sni(c) with { TlsMaxClientHelloSize = YamlValue.Int32(v, 512, 1 << 24) })
        .On("request_wait_timeout", (c, v, _) => Sni(c) with { RequestWaitTimeout = HumanDuration.FromYaml(v) })
        .On("request_recv_timeout", (c, v, _) => Sni(c) with { RequestRecvTimeout = HumanDuration.FromYaml(v) })
        .On("allowed_hosts|allowed_sites", (c, v, s) => Sni(c) with
        {
            AllowedHosts = HostMatchParser.FromYaml(v, map => SniHostKeys.Apply(new SniHostConfig(null, null), map, s)),
        })
        // sni_proxy's own inspection settings: they recognise the client's first bytes (TLS or HTTP);
        // an auditor's stay in force for the stream after that.
        .On("protocol_inspection", (c, v, _) => Sni(c) with { ProtocolInspection = DpiParsers.ProtocolInspection(v) })
        .On("server_tcp_portmap", (c, v, _) => Sni(c) with { ServerTcpPortmap = DpiParsers.Portmap(Sni(c).ServerTcpPortmap, v) })
        .On("client_tcp_portmap", (c, v, _) => Sni(c) with { ClientTcpPortmap = DpiParsers.Portmap(Sni(c).ClientTcpPortmap, v) })
        .On("listen_transparent", (c, v, _) => Sni(c) with { ListenTransparent = YamlValue.Bool(v) });

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
        parsed = CheckAuth(parsed, map, scope);
        switch (parsed)
        {
            case StreamServerConfig stream:
                if (stream.Upstream.Count == 0) scope.Error(map, "upstream", "missing required key 'upstream'");
                if (stream is TlsStreamServerConfig && stream.TlsServer is null) scope.Error(map, "tls_server", "missing required key 'tls_server'");
                // g3: without upstream_tls_name, the first upstream's host is the name verified.
                if (stream.TlsClient is not null && stream.UpstreamTlsName is null && stream.Upstream.Count > 0)
                    parsed = stream with { UpstreamTlsName = stream.Upstream[0].Value.Host };
                break;
            case SniProxyServerConfig { ListenTransparent: true, Listen: { } listen }:
                // g3 (Linux): IP_TRANSPARENT on the listener, so TPROXY can steer connections to it.
                parsed = parsed with { Listen = listen with { Transparent = true } };
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

    /// <summary>
    /// The user_group and the auth_by_* flags a server type has. The flags are read into a set first
    /// (the map's order is free); <see cref="CheckAuth"/> turns them into the one match g3 allows.
    /// </summary>
    private static KeyTable<ServerConfig> Auth(KeyTable<ServerConfig> keys, string flags) => keys
        .On("user_group", (c, v, _) => c with { UserGroup = YamlValue.String(v, "a user group name") })
        .On(flags, (c, v, _, key, _) => Flag(c, key, YamlValue.Bool(v)));

    private static ServerConfig Flag(ServerConfig c, string key, bool on)
    {
        if (!on) return c;
        var match = key switch
        {
            "auth_by_client_ip" => FactsAuthMatch.ClientIp,
            "auth_by_server_ip" => FactsAuthMatch.ServerIp,
            _ => FactsAuthMatch.ServerName,
        };
        // g3 lets the server flag win over the client one (and then refuses both; CheckAuth does).
        if (match == FactsAuthMatch.ClientIp && ((IFactsAuthServer)c).AuthMatch is not null) return c;
        return c switch
        {
            StreamServerConfig s => s with { AuthMatch = match },
            TcpTProxyServerConfig t => t with { AuthMatch = match },
            SniProxyServerConfig n => n with { AuthMatch = match },
            _ => c,
        };
    }

    /// <summary>g3's checks: only one auth_by_* on, and a user group when one is.</summary>
    private static ServerConfig CheckAuth(ServerConfig parsed, YamlMappingNode map, EntryScope scope)
    {
        if (parsed is not IFactsAuthServer { AuthMatch: { } match }) return parsed;
        var on = map.Children.Count(kv => kv.Key is YamlScalarNode { Value: { } k }
            && YamlKey.Normalize(k).StartsWith("auth_by_", StringComparison.Ordinal)
            && kv.Value is YamlScalarNode { Value: { } v } && v.ToLowerInvariant() is "true" or "on" or "yes" or "1");
        if (on > 1)
            scope.Error(map, "auth_by_client_ip", match == FactsAuthMatch.ServerName
                ? "only one of auth_by_client_ip, auth_by_server_name can be enabled"
                : "only one of auth_by_client_ip, auth_by_server_ip can be enabled");
        if (parsed.UserGroup is null) scope.Error(map, "user_group", "user group is not set but auth is enabled");
        return parsed;
    }

    private static KeyTable<ServerConfig> Stream(KeyTable<ServerConfig> keys) => Auth(keys, "auth_by_client_ip")
        .On("upstream|proxy_pass", (c, v, _) => S(c) with { Upstream = WeightedParser.UpstreamList(v, 0) })
        .On("upstream_pick_policy", (c, v, _) => S(c) with { UpstreamPickPolicy = SelectivePickPolicyParser.FromYaml(v) })
        .On("tls_client", (c, v, s, _, k) => S(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("upstream_tls_name", (c, v, _) => S(c) with { UpstreamTlsName = YamlValue.String(v, "a TLS server name").Trim() });

    private static StreamServerConfig S(ServerConfig c) => (StreamServerConfig)c;
    private static SniProxyServerConfig Sni(ServerConfig c) => (SniProxyServerConfig)c;
}
