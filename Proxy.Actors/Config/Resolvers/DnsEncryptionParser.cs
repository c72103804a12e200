using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Resolvers;

/// <summary>
/// g3's "dns encryption config": a string (the tls_name, DNS over TLS) or a map of
/// <c>tls_name</c> (required), <c>protocol</c> and <c>tls_client</c> (g3's rustls client config).
/// </summary>
internal static class DnsEncryptionParser
{
    private const string QuicReason = "System.Net.Quic needs libmsquic, which no package source here serves";

    /// <summary>The keys of g3's rustls client config; the openssl-only ones TlsClientParser also knows are refused here.</summary>
    private static readonly HashSet<string> RustlsKeys =
    [
        "no_session_cache", "disable_sni", "max_fragment_size", "cert_pair", "certificate", "private_key",
        "ca_certificate", "server_auth_certificate", "no_default_ca_certificate", "use_builtin_ca_certificate",
        "handshake_timeout",
    ];

    public static DnsEncryptionConfig FromYaml(YamlNode node, EntryScope scope, YamlNode keyNode)
    {
        if (node is YamlScalarNode && !YamlValue.IsNull(node))
            return new DnsEncryptionConfig(DnsEncryptionProtocol.Tls, TlsName(node), TlsClientConfig.Default);
        var map = YamlValue.Map(node, "a TLS name or a map");
        string? name = null;
        var protocol = DnsEncryptionProtocol.Tls;
        var tls = TlsClientConfig.Default;
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "tls_name": name = TlsName(value); break;
                case "protocol": protocol = Protocol(value); break;
                case "tls_client": tls = TlsClient(value, scope, k); break;
                default: throw YamlValue.UnknownKey(key, k);
            }
        }
        if (name is null) throw new ConfigValueException("missing required key 'tls_name'", keyNode);
        return new DnsEncryptionConfig(protocol, name, tls);
    }

    /// <summary>g3's spellings (lower-cased, '-' read as '_'), as its DnsEncryptionProtocol parses them.</summary>
    private static DnsEncryptionProtocol Protocol(YamlNode node)
    {
        var raw = YamlValue.String(node, "a DNS encryption protocol");
        return raw.ToLowerInvariant().Replace('-', '_') switch
        {
            "tls" or "dns_over_tls" or "dnsovertls" or "dot" => DnsEncryptionProtocol.Tls,
            "https" or "h2" or "dns_over_https" or "dnsoverhttps" or "doh" => DnsEncryptionProtocol.Https,
            // dns-over-h3 is not one of g3's spellings, but users write it: refuse it for the real reason.
            "h3" or "http/3" or "dns_over_http/3" or "dnsoverhttp/3" or "doh3" or "dns_over_h3" =>
                throw new NotSupportedYetException($"encryption protocol '{raw}' (DNS over HTTP/3: {QuicReason})", node),
            "quic" or "dns_over_quic" or "dnsoverquic" or "doq" =>
                throw new NotSupportedYetException($"encryption protocol '{raw}' (DNS over QUIC: {QuicReason})", node),
            _ => throw YamlValue.Expected("dns-over-tls, dns-over-https, dns-over-http/3 or dns-over-quic", node),
        };
    }

    private static string TlsName(YamlNode node)
    {
        var name = YamlValue.String(node, "a TLS server name").Trim();
        return name.Length > 0 ? name : throw YamlValue.Expected("a TLS server name", node);
    }

    private static TlsClientConfig TlsClient(YamlNode node, EntryScope scope, YamlNode keyNode)
    {
        if (node is not YamlMappingNode map) return TlsClientParser.FromYaml(node, scope, keyNode) ?? TlsClientConfig.Default;
        // The shared parser reads the keys both flavours have; the two rustls-only ones are tuning.
        var shared = new YamlMappingNode();
        foreach (var (keyNodeRaw, value) in map.Children)
        {
            var key = keyNodeRaw is YamlScalarNode { Value: { } raw } ? YamlKey.Normalize(raw) : "";
            if (!RustlsKeys.Contains(key)) throw YamlValue.UnknownKey(key, keyNodeRaw);
            if (key is "max_fragment_size" or "use_builtin_ca_certificate") scope.NoEffect(keyNodeRaw, $"tls_client.{key}");
            else shared.Add(keyNodeRaw, value);
        }
        return TlsClientParser.FromYaml(shared, scope, keyNode) ?? TlsClientConfig.Default;
    }
}
