using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Servers;

/// <summary>The keys of g3's http_proxy beyond the common server keys (reference section 1.2).</summary>
internal static class HttpProxyKeyTable
{
    public static KeyTable<ServerConfig> Build(KeyTable<ServerConfig> common) => HttpServerKeyTable.Build(common)
        .On("local_server_name", (c, v, _) => Http(c) with { LocalServerName = YamlValue.List(v).Select(n => YamlValue.String(n, "a host name")).ToList() })
        .On("auditor", (c, v, _) => c with { Auditor = YamlValue.String(v, "an auditor name") })
        .On("tls_client", (c, v, s, _, k) => Http(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("allow_custom_host", (c, v, _) => Http(c) with { AllowCustomHost = YamlValue.Bool(v) })
        .On("drop_default_port_in_host", (c, v, _) => Http(c) with { DropDefaultPortInHost = YamlValue.Bool(v) })
        .On("http_forward_mark_upstream", (c, v, _) => Http(c) with { HttpForwardMarkUpstream = YamlValue.Bool(v) })
        .On("echo_chained_info", (c, v, _) => Http(c) with { EchoChainedInfo = YamlValue.Bool(v) })
        .On("steal_forwarded_for", (c, v, _) => Http(c) with { StealForwardedFor = YamlValue.Bool(v) })
        .On("username_params|username_params_to_escaper_addr", (c, v, s, k, _) => Http(c) with { UsernameParams = UsernameParamsParser.FromYaml(v, s, k) })
        .On("egress_path_selection_header|path_selection_header", (c, v, _) => Http(c) with { EgressPathSelectionHeader = YamlValue.String(v, "a header name").Trim() })
        .On("ftp_client", (c, v, s) => Http(c) with { FtpClient = FtpClientParser.FromYaml(v, s) });

    private static HttpProxyServerConfig Http(ServerConfig c) => (HttpProxyServerConfig)c;
}
