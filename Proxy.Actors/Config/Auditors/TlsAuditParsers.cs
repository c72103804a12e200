using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Auditors;

/// <summary>The TLS side of an auditor: cert agent, ticketer, interception client/server, stream dump.</summary>
internal static class TlsAuditParsers
{
    /// <summary>g3's tls_cert_agent: a map, or a string that is the query_peer_addr.</summary>
    public static CertAgentConfig CertAgent(YamlNode node)
    {
        var c = new CertAgentConfig();
        if (node is not YamlMappingNode map) return c with { QueryPeerAddr = SockAddrParser.FromYaml(node, 2999) };
        return MapFold.Apply(map, c, (c, key, k, v) => key switch
        {
            "cache_request_batch_count" => c with { CacheRequestBatchCount = YamlValue.Int32(v) },
            "cache_request_timeout" => c with { CacheRequestTimeout = HumanDuration.FromYaml(v) },
            "cache_vanish_wait" or "vanish_after_expire" => c with { CacheVanishWait = HumanDuration.FromYaml(v) },
            "query_peer_addr" => c with { QueryPeerAddr = SockAddrParser.FromYaml(v, 2999) },
            "query_socket_buffer" => c with { QuerySocketBuffer = SocketBuffer(v) },
            "query_wait_timeout" => c with { QueryWaitTimeout = HumanDuration.FromYaml(v) },
            "protective_cache_ttl" => c with { ProtectiveCacheTtl = U32(v) },
            "maximum_cache_ttl" => c with { MaximumCacheTtl = U32(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    public static TlsTicketerConfig Ticketer(YamlNode node)
    {
        return MapFold.Apply(node, "tls ticketer", new TlsTicketerConfig(), (c, key, k, v) => key switch
        {
            "check_interval" => c with { CheckInterval = HumanDuration.FromYaml(v) },
            "local_lifetime" => c with { LocalLifetime = U32(v) },
            "source" => throw TlsTicketerRefusal.At("tls_ticketer.source", k),
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    public static TlsInterceptionClientConfig InterceptionClient(YamlNode node, EntryScope scope)
    {
        return MapFold.Apply(node, "tls interception client", new TlsInterceptionClientConfig(), (c, key, k, v) => key switch
        {
            "min_tls_version" or "tls_version_min" => c with { MinTlsVersion = TlsClientParser.TlsVersion(v) },
            "max_tls_version" or "tls_version_max" => c with { MaxTlsVersion = TlsClientParser.TlsVersion(v) },
            "ca_certificate" or "ca_cert" or "server_auth_certificate" or "server_auth_cert" =>
                c with { CaCertificatePem = PemLoader.FromYaml(v, scope) },
            "no_default_ca_certificate" or "no_default_ca_cert" => c with { NoDefaultCaCertificate = YamlValue.Bool(v) },
            "handshake_timeout" or "negotiation_timeout" => c with { HandshakeTimeout = HumanDuration.FromYaml(v) },
            "no_session_cache" or "disable_session_cache" or "session_cache_disabled" => c with { NoSessionCache = YamlValue.Bool(v) },
            "session_cache_lru_max_sites" => c with { SessionCacheLruMaxSites = YamlValue.Int32(v) },
            "session_cache_each_capacity" or "session_cache_each_cap" => c with { SessionCacheEachCapacity = YamlValue.Int32(v) },
            "insecure" => c with { Insecure = YamlValue.Bool(v) },
            // OpenSSL knobs SslStream does not expose
            "supported_groups" or "use_ocsp_stapling" or "enable_sct" or "enable_grease" or "permute_extensions" =>
                throw new NotSupportedYetException($"tls_interception_client.{key}", k),
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    public static TlsInterceptionServerConfig InterceptionServer(YamlNode node)
    {
        return MapFold.Apply(node, "tls interception server", new TlsInterceptionServerConfig(), (c, key, k, v) => key switch
        {
            "accept_timeout" or "handshake_timeout" or "negotiation_timeout" => c with { AcceptTimeout = HumanDuration.FromYaml(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    /// <summary>g3's stream dump: a map, or a string that is the peer.</summary>
    public static StreamDumpConfig StreamDump(YamlNode node)
    {
        var c = new StreamDumpConfig();
        if (node is not YamlMappingNode map) return c with { Peer = SockAddrParser.FromYaml(node, 5555) };
        return MapFold.Apply(map, c, (c, key, k, v) => key switch
        {
            "peer" => c with { Peer = SockAddrParser.FromYaml(v, 5555) },
            "socket_buffer" => c with { SocketBuffer = SocketBuffer(v) },
            "misc_opts" => c with { MiscOpts = MiscSockOptsParser.Udp(v) },
            "packet_size" => c with { PacketSize = YamlValue.Int32(v, 1, 65507) },
            "client_side" => c with { ClientSide = YamlValue.Bool(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    /// <summary>g3's socket buffer config: one size for both directions, or <c>{recv, send}</c>.</summary>
    public static SocketBufferConfig SocketBuffer(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            var size = HumanSize.FromYamlInt32(node);
            return new SocketBufferConfig(size, size);
        }
        var c = SocketBufferConfig.Default;
        return MapFold.Apply(map, c, (c, key, k, v) => key switch
        {
            "recv" or "receive" or "read" => c with { Receive = HumanSize.FromYamlInt32(v) },
            "send" or "write" => c with { Send = HumanSize.FromYamlInt32(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    private static uint U32(YamlNode v) => (uint)YamlValue.Integer(v, 0, uint.MaxValue);
}
