using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>The keys of g3's http_rproxy and of each of its hosts, and g3's checks on them.</summary>
internal static class HttpRProxyKeyTable
{
    private static readonly KeyTable<HttpRProxyHostConfig> HostKeys = new KeyTable<HttpRProxyHostConfig>()
        .Skip(HostMatchParser.ReservedKeys)
        .On("upstream", (c, v, _) => c with { Upstream = WeightedParser.Upstream(v, 80) })
        .On("tls_client", (c, v, s, _, k) => c with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("tls_name", (c, v, _) => c with { TlsName = YamlValue.String(v, "a TLS server name").Trim() })
        .On("tls_server", (c, v, s, _, k) => c with { TlsServer = TlsServerParser.FromYaml(v, s, k) });

    public static KeyTable<ServerConfig> Build(KeyTable<ServerConfig> common) => HttpServerKeyTable.Build(common)
        .On("append_forwarded_for", (c, v, _) => R(c) with { AppendForwardedFor = ForwardedType(v) })
        .On("hosts|sites", (c, v, s) => R(c) with { Hosts = HostMatchParser.FromYaml(v, map => Host(map, s)) })
        .On("enable_tls_server", (c, v, _) => R(c) with { EnableTlsServer = YamlValue.Bool(v) })
        .On("global_tls_server", (c, v, s, _, k) => R(c) with { GlobalTlsServer = TlsServerParser.FromYaml(v, s, k) })
        .On("client_hello_recv_timeout", (c, v, _) => R(c) with { ClientHelloRecvTimeout = HumanDuration.FromYaml(v) });

    /// <summary>g3's check(): hosts are required, and each host needs its upstream.</summary>
    public static ServerConfig Check(HttpRProxyServerConfig parsed, YamlMappingNode map, EntryScope scope)
    {
        if (parsed.Escaper is null) scope.Error(map, "escaper", "missing required key 'escaper'");
        if (!parsed.Hosts.Values.Any()) scope.Error(map, "hosts", "missing required key 'hosts'");
        return parsed;
    }

    private static HttpRProxyHostConfig Host(YamlMappingNode map, EntryScope scope)
    {
        var host = HostKeys.Apply(new HttpRProxyHostConfig(), map, scope);
        if (host.Upstream is null) throw new ConfigValueException("a host without 'upstream'", map);
        // g3: without tls_name, the upstream's host is the name verified.
        return host.TlsName is null ? host with { TlsName = host.Upstream.Host } : host;
    }

    /// <summary>g3's http forwarded header type: a name, or a bool (true is classic).</summary>
    private static HttpForwardedHeaderType ForwardedType(YamlNode v)
    {
        var text = YamlValue.String(v, "none, classic or standard").Trim().ToLowerInvariant();
        return text switch
        {
            "none" or "disable" or "false" => HttpForwardedHeaderType.None,
            "classic" or "enable" or "true" => HttpForwardedHeaderType.Classic,
            "standard" or "rfc7239" => HttpForwardedHeaderType.Standard,
            _ => throw YamlValue.Expected("none, classic or standard", v),
        };
    }

    private static HttpRProxyServerConfig R(ServerConfig c) => (HttpRProxyServerConfig)c;
}
