using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's "openssl tls client config": <c>{}</c> or <c>true</c> = defaults (system CAs), <c>false</c> = off,
/// or a map. OpenSSL-only knobs are refused as not supported rather than dropped.
/// </summary>
internal static class TlsClientParser
{
    public static TlsClientConfig? FromYaml(YamlNode node, EntryScope scope, YamlNode keyNode)
    {
        if (node is not YamlMappingNode map)
        {
            if (YamlValue.IsNull(node)) return TlsClientConfig.Default;
            return YamlValue.Bool(node) ? TlsClientConfig.Default : null;
        }
        var result = TlsClientConfig.Default;
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "min_tls_version": result = result with { MinTlsVersion = TlsVersion(value) }; break;
                case "max_tls_version": result = result with { MaxTlsVersion = TlsVersion(value) }; break;
                case "disable_sni": result = result with { DisableSni = YamlValue.Bool(value) }; break;
                case "insecure": result = result with { Insecure = YamlValue.Bool(value) }; break;
                case "no_default_ca_certificate": result = result with { NoDefaultCaCertificate = YamlValue.Bool(value) }; break;
                case "handshake_timeout": result = result with { HandshakeTimeout = HumanDuration.FromYaml(value) }; break;
                case "ca_certificate" or "server_auth_certificate":
                    result = result with { CaCertificatePem = PemLoader.FromYaml(value, scope) };
                    break;
                case "certificate": result = result with { CertificatePem = PemLoader.FromYaml(value, scope) }; break;
                case "private_key": result = result with { PrivateKeyPem = PemLoader.FromYaml(value, scope) }; break;
                case "cert_pair": result = CertPair(result, value, scope); break;
                case "no_session_cache" or "use_builtin_session_cache" or "session_cache_lru_max_sites"
                    or "session_cache_each_capacity":
                    scope.NoEffect(k, $"tls_client.{key}");
                    break;
                case "protocol" or "ciphers" or "supported_groups" or "use_ocsp_stapling" or "enable_sct"
                    or "enable_grease" or "permute_extensions" or "tlcp_cert_pair" or "tlcp_enc_certificate"
                    or "tlcp_enc_private_key" or "tlcp_sign_certificate" or "tlcp_sign_private_key":
                    throw new NotSupportedYetException($"tls_client.{key}", k);
                default: throw YamlValue.UnknownKey(key, k);
            }
        }
        if ((result.CertificatePem is null) != (result.PrivateKeyPem is null))
            throw new ConfigValueException("certificate and private_key must be set together", keyNode);
        return result;
    }

    private static TlsClientConfig CertPair(TlsClientConfig result, YamlNode node, EntryScope scope)
    {
        foreach (var (key, k, value) in YamlValue.Entries(YamlValue.Map(node)))
        {
            result = key switch
            {
                "certificate" => result with { CertificatePem = PemLoader.FromYaml(value, scope) },
                "private_key" => result with { PrivateKeyPem = PemLoader.FromYaml(value, scope) },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return result;
    }

    internal static string TlsVersion(YamlNode node) =>
        YamlValue.String(node).ToLowerInvariant().Replace("v", "").Replace("_", "").Replace(" ", "") switch
        {
            "tls1.2" or "1.2" or "tls12" => "tls1.2",
            "tls1.3" or "1.3" or "tls13" => "tls1.3",
            "tls1.0" or "1.0" or "tls10" or "tls1.1" or "1.1" or "tls11" =>
                throw new ConfigValueException("TLS versions below 1.2 are not supported by .NET on this platform", node),
            _ => throw YamlValue.Expected("tls1.2 or tls1.3", node),
        };
}
