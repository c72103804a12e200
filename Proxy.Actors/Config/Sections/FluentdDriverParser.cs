using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>g3's fluentd driver: a map of keys, an address string, or null for the defaults.</summary>
internal static class FluentdDriverParser
{
    private const int DefaultPort = 24224;

    public static FluentdConfig FromYaml(YamlNode node, EntryScope scope)
    {
        var c = new FluentdConfig();
        if (YamlValue.IsNull(node)) return c;
        if (node is not YamlMappingNode map) return c with { Address = SockAddrParser.FromYaml(node, DefaultPort) };
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            c = key switch
            {
                "address" or "addr" => c with { Address = SockAddrParser.FromYaml(value, DefaultPort) },
                "bind_ip" or "bind" => c with { BindIp = SockAddrParser.Ip(value) },
                "shared_key" => c with { SharedKey = YamlValue.String(value) },
                "username" => c with { Username = YamlValue.String(value) },
                "password" => c with { Password = YamlValue.String(value) },
                "hostname" => c with { Hostname = YamlValue.String(value) },
                "tcp_keepalive" => c with { TcpKeepalive = TcpKeepaliveParser.FromYaml(value) },
                "tls_client" or "tls" => c with { TlsClient = TlsClientParser.FromYaml(value, scope, k) },
                "tls_name" => c with { TlsName = YamlValue.String(value, "a TLS server name") },
                "connect_timeout" => c with { ConnectTimeout = HumanDuration.FromYaml(value) },
                "connect_delay" => c with { ConnectDelay = HumanDuration.FromYaml(value) },
                "write_timeout" => c with { WriteTimeout = HumanDuration.FromYaml(value) },
                "flush_interval" => c with { FlushInterval = HumanDuration.FromYaml(value) },
                "retry_queue_len" => c with { RetryQueueLen = YamlValue.Int32(value, 0) },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return c;
    }
}
