using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>The HTTP keys g3's http_proxy and http_rproxy both have, read once for both.</summary>
internal static class HttpServerKeyTable
{
    public static KeyTable<ServerConfig> Build(KeyTable<ServerConfig> common) => common
        .On("server_id", (c, v, _) => Http(c) with { ServerId = YamlValue.String(v, "a server id") })
        .On("user_group", (c, v, _) => c with { UserGroup = YamlValue.String(v, "a user group name") })
        .On("auth_realm", (c, v, _) => Http(c) with { AuthRealm = YamlValue.String(v, "a realm") })
        .On("req_header_recv_timeout", (c, v, _) => Http(c) with { ReqHeaderRecvTimeout = HumanDuration.FromYaml(v) })
        .On("rsp_header_recv_timeout", (c, v, _) => Http(c) with { RspHeaderRecvTimeout = HumanDuration.FromYaml(v) })
        .On("req_header_max_size", (c, v, _) => Http(c) with { ReqHeaderMaxSize = HumanSize.FromYamlInt32(v) })
        .On("rsp_header_max_size", (c, v, _) => Http(c) with { RspHeaderMaxSize = HumanSize.FromYamlInt32(v) })
        .On("log_uri_max_chars|uri_log_max_chars", (c, v, _) => Http(c) with { LogUriMaxChars = YamlValue.Int32(v) })
        .On("pipeline_size", (c, v, _) => Http(c) with { PipelineSize = YamlValue.Int32(v, 1) })
        .On("pipeline_read_idle_timeout", (c, v, _) => Http(c) with { PipelineReadIdleTimeout = HumanDuration.FromYaml(v) })
        .On("no_early_error_reply", (c, v, _) => Http(c) with { NoEarlyErrorReply = YamlValue.Bool(v) })
        .On("body_line_max_length", (c, v, _) => Http(c) with { BodyLineMaxLength = YamlValue.Int32(v, 1) })
        .On("http_forward_upstream_keepalive", (c, v, _) => Keepalive(Http(c), v))
        .On("untrusted_read_speed_limit|untrusted_read_limit", (c, v, _) => Http(c) with { UntrustedReadSpeedLimit = TcpSockSpeedLimitParser.FromYaml(v) });

    private static HttpServerConfig Http(ServerConfig c) => (HttpServerConfig)c;

    /// <summary>g3's http keepalive value, read by the one parser users share.</summary>
    private static HttpServerConfig Keepalive(HttpServerConfig c, YamlNode v)
    {
        var k = HttpKeepaliveParser.FromYaml(v);
        return c with { UpstreamKeepaliveEnable = k.Enable, UpstreamKeepaliveIdleExpire = k.IdleExpireOrDefault ?? c.UpstreamKeepaliveIdleExpire };
    }
}
