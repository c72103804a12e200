using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>The keys of g3's http_proxy beyond the common server keys (reference section 1.2).</summary>
internal static class HttpProxyKeyTable
{
    public static KeyTable<ServerConfig> Build(KeyTable<ServerConfig> common) => common
        .On("local_server_name", (c, v, _) => Http(c) with { LocalServerName = YamlValue.List(v).Select(n => YamlValue.String(n, "a host name")).ToList() })
        .On("server_id", (c, v, _) => Http(c) with { ServerId = YamlValue.String(v, "a server id") })
        .On("user_group", (c, v, _) => c with { UserGroup = YamlValue.String(v, "a user group name") })
        .On("auth_realm", (c, v, _) => Http(c) with { AuthRealm = YamlValue.String(v, "a realm") })
        .On("tls_client", (c, v, s, _, k) => Http(c) with { TlsClient = TlsClientParser.FromYaml(v, s, k) })
        .On("req_header_recv_timeout", (c, v, _) => Http(c) with { ReqHeaderRecvTimeout = HumanDuration.FromYaml(v) })
        .On("rsp_header_recv_timeout", (c, v, _) => Http(c) with { RspHeaderRecvTimeout = HumanDuration.FromYaml(v) })
        .On("req_header_max_size", (c, v, _) => Http(c) with { ReqHeaderMaxSize = HumanSize.FromYamlInt32(v) })
        .On("rsp_header_max_size", (c, v, _) => Http(c) with { RspHeaderMaxSize = HumanSize.FromYamlInt32(v) })
        .On("log_uri_max_chars|uri_log_max_chars", (c, v, _) => Http(c) with { LogUriMaxChars = YamlValue.Int32(v) })
        .On("pipeline_size", (c, v, _) => Http(c) with { PipelineSize = YamlValue.Int32(v, 1) })
        .On("pipeline_read_idle_timeout", (c, v, _) => Http(c) with { PipelineReadIdleTimeout = HumanDuration.FromYaml(v) })
        .On("no_early_error_reply", (c, v, _) => Http(c) with { NoEarlyErrorReply = YamlValue.Bool(v) })
        .On("allow_custom_host", (c, v, _) => Http(c) with { AllowCustomHost = YamlValue.Bool(v) })
        .On("drop_default_port_in_host", (c, v, _) => Http(c) with { DropDefaultPortInHost = YamlValue.Bool(v) })
        .On("body_line_max_length", (c, v, _) => Http(c) with { BodyLineMaxLength = YamlValue.Int32(v, 1) })
        .On("http_forward_upstream_keepalive", (c, v, _) => Keepalive(Http(c), v))
        .On("http_forward_mark_upstream", (c, v, _) => Http(c) with { HttpForwardMarkUpstream = YamlValue.Bool(v) })
        .On("echo_chained_info", (c, v, _) => Http(c) with { EchoChainedInfo = YamlValue.Bool(v) })
        .On("steal_forwarded_for", (c, v, _) => Http(c) with { StealForwardedFor = YamlValue.Bool(v) })
        .On("username_params|username_params_to_escaper_addr", (c, v, s, k, _) => Http(c) with { UsernameParams = UsernameParamsParser.FromYaml(v, s, k) })
        .On("egress_path_selection_header|path_selection_header", (c, v, _) => Http(c) with { EgressPathSelectionHeader = YamlValue.String(v, "a header name").Trim() })
        .NotSupported("ftp_client")
        .NotSupported("untrusted_read_speed_limit|untrusted_read_limit");

    private static HttpProxyServerConfig Http(ServerConfig c) => (HttpProxyServerConfig)c;

    /// <summary>g3's http keepalive value, read by the one parser users share.</summary>
    private static HttpProxyServerConfig Keepalive(HttpProxyServerConfig c, YamlNode v)
    {
        var k = HttpKeepaliveParser.FromYaml(v);
        return c with { UpstreamKeepaliveEnable = k.Enable, UpstreamKeepaliveIdleExpire = k.IdleExpireOrDefault ?? c.UpstreamKeepaliveIdleExpire };
    }
}
