using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>Builds the server records G3Actors has built (http_proxy, dummy_close) from their YAML maps.</summary>
internal static class ServerParser
{
    private static readonly KeyTable<ServerConfig> DummyCloseKeys = new KeyTable<ServerConfig>()
        .Skip("name|type")
        .On("listen", (c, v, s) => c with { Listen = TcpListenParser.FromYaml(v, s) })
        .On("listen_in_worker", (c, v, _) => c with { ListenInWorker = YamlValue.Bool(v) })
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) });

    private static readonly KeyTable<ServerConfig> HttpProxyKeys = HttpProxyKeyTable.Build(CommonKeys())
        .On("tls_server", (c, v, s, _, k) => c with { TlsServer = TlsServerParser.FromYaml(v, s, k) });

    private static readonly KeyTable<ServerConfig> HttpRProxyKeys = HttpRProxyKeyTable.Build(BaseKeys());

    private static readonly KeyTable<ServerConfig> SocksProxyKeys = SocksProxyKeyTable.Build(CommonKeys());

    private static readonly KeyTable<ServerConfig> IntelliKeys = PortServerKeyTable.Intelli();

    private static readonly KeyTable<ServerConfig> TcpPortKeys = PortServerKeyTable.Tcp();
    private static readonly KeyTable<ServerConfig> TlsPortKeys = PortServerKeyTable.Tls();

    public static ServerConfig? Parse(KnownType type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        switch (type.Canonical)
        {
            case "dummy_close":
                return DummyCloseKeys.Apply(new DummyCloseServerConfig { Name = name, Position = position }, map, scope);
            case "http_proxy":
                var http = HttpProxyKeys.Apply(new HttpProxyServerConfig { Name = name, Position = position }, map, scope);
                // g3 refuses an http_proxy without an escaper (its check(): "escaper is not set")
                if (http.Escaper is null) scope.Error(map, "escaper", "missing required key 'escaper'");
                return http;
            case "http_rproxy":
                return HttpRProxyKeyTable.Check((HttpRProxyServerConfig)HttpRProxyKeys.Apply(new HttpRProxyServerConfig { Name = name, Position = position }, map, scope), map, scope);
            case "socks_proxy":
                var socks = SocksProxyKeys.Apply(new SocksProxyServerConfig { Name = name, Position = position }, map, scope);
                if (socks.Escaper is null) scope.Error(map, "escaper", "missing required key 'escaper'");
                return socks;
            case "intelli_proxy":
                var intelli = (IntelliProxyServerConfig)IntelliKeys.Apply(new IntelliProxyServerConfig { Name = name, Position = position }, map, scope);
                // g3 requires all three
                if (intelli.Listen is null) scope.Error(map, "listen", "missing required key 'listen'");
                if (intelli.HttpServer.Length == 0) scope.Error(map, "http_server", "missing required key 'http_server'");
                if (intelli.SocksServer.Length == 0) scope.Error(map, "socks_server", "missing required key 'socks_server'");
                return intelli;
            case "plain_tcp_port":
                return Port(TcpPortKeys.Apply(new PlainTcpPortServerConfig { Name = name, Position = position }, map, scope), map, scope);
            case "plain_tls_port":
                return Port(TlsPortKeys.Apply(new PlainTlsPortServerConfig { Name = name, Position = position }, map, scope), map, scope);
            case "native_tls_port":
                return Port(TlsPortKeys.Apply(new NativeTlsPortServerConfig { Name = name, Position = position }, map, scope), map, scope);
            case "tcp_stream" or "tls_stream" or "tcp_tproxy" or "sni_proxy":
                return StreamServerKeyTable.Parse(type.Canonical, name, map, position, scope);
            default:
                throw new InvalidOperationException($"no parser for built server type {type.Canonical}");
        }
    }

    /// <summary>g3's checks: a port needs a listen address and a next server; a TLS port needs tls_server.</summary>
    private static ServerConfig Port(ServerConfig parsed, YamlMappingNode map, EntryScope scope)
    {
        var port = (PortServerConfig)parsed;
        if (port.Listen is null) scope.Error(map, "listen", "missing required key 'listen'");
        if (port.NextServer.Length == 0) scope.Error(map, "server", "missing required key 'server'");
        if (port is not PlainTcpPortServerConfig && port.TlsServer is null) scope.Error(map, "tls_server", "missing required key 'tls_server'");
        return port;
    }

    /// <summary>Reference section 1.1: keys shared by the proxying servers.</summary>
    private static KeyTable<ServerConfig> CommonKeys() => BaseKeys()
        .On("dst_host_filter_set", (c, v, _) => c with { DstHostFilterSet = HostAclSetParser.Parse(v) })
        .On("dst_port_filter", (c, v, _) => c with { DstPortFilter = PortAclParser.Parse(v) });

    /// <summary>The keys every server with an escaper has, stream servers included (they have no destination filters).</summary>
    internal static KeyTable<ServerConfig> BaseKeys() => new KeyTable<ServerConfig>()
        .Skip("name|type")
        .On("escaper", (c, v, _) => c with { Escaper = YamlValue.String(v, "an escaper name") })
        .NotSupported("user_group|auditor|tls_server|tls")
        .On("tcp_misc_opts", (c, v, _) => c with { TcpMiscOpts = MiscSockOptsParser.Tcp(v) })
        .On("tls_ticketer", (_, _, _, key, k) => throw TlsTicketerRefusal.At(key, k))
        .On("flush_task_log_on_created", (c, v, _) => c with { FlushTaskLogOnCreated = YamlValue.Bool(v) })
        .On("flush_task_log_on_connected", (c, v, _) => c with { FlushTaskLogOnConnected = YamlValue.Bool(v) })
        // a zero period would be a busy loop: it means no periodic records
        .On("task_log_flush_interval", (c, v, _) => c with { TaskLogFlushInterval = HumanDuration.FromYaml(v) is { Ticks: > 0 } d ? d : null })
        .NoEffect("shared_logger")
        .On("listen", (c, v, s) => c with { Listen = TcpListenParser.FromYaml(v, s) })
        .On("listen_in_worker", (c, v, _) => c with { ListenInWorker = YamlValue.Bool(v) })
        .On("ingress_network_filter|ingress_net_filter", (c, v, _) => c with { IngressNetworkFilter = NetworkAclParser.Ingress(v) })
        .On("tcp_sock_speed_limit|tcp_conn_speed_limit|tcp_conn_limit|conn_limit",
            (c, v, _) => c with { TcpSockSpeedLimit = TcpSockSpeedLimitParser.FromYaml(v) })
        // g3 clamps these to their minimums rather than refusing small values
        .On("tcp_copy_buffer_size", (c, v, _) => c with { TcpCopyBufferSize = Math.Max(4 * 1024, HumanSize.FromYamlInt32(v)) })
        .On("tcp_copy_yield_size", (c, v, _) => c with { TcpCopyYieldSize = Math.Max(256 * 1024, HumanSize.FromYamlInt32(v)) })
        .On("task_idle_check_interval|task_idle_check_duration", (c, v, _) => c with { TaskIdleCheckInterval = IdleCheck(v) })
        .On("task_idle_max_count", (c, v, _) => c with { TaskIdleMaxCount = YamlValue.Int32(v, 1) })
        .On("extra_metrics_tags", (c, v, _) => c with { ExtraMetricsTags = MetricsTagsParser.FromYaml(v) });

    /// <summary>g3 rounds the idle-check period to whole seconds within [2s, 30min].</summary>
    private static TimeSpan IdleCheck(YamlNode v)
    {
        var secs = Math.Clamp(Math.Round(HumanDuration.FromYaml(v).TotalSeconds), 2, 1800);
        return TimeSpan.FromSeconds(secs);
    }
}
