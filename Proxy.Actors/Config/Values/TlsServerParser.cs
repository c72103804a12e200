using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's rustls server config: <c>cert_pairs</c> (one pair or a list) or <c>certificate</c> +
/// <c>private_key</c>, <c>enable_client_auth</c> with <c>ca_certificate</c>, resumption switches,
/// <c>handshake_timeout</c>. Each pair is checked at load, so a bad certificate is a config error.
/// </summary>
internal static class TlsServerParser
{
    public static TlsServerConfig FromYaml(YamlNode node, EntryScope scope, YamlNode keyNode)
    {
        var map = YamlValue.Map(node, "a tls server map");
        var pairs = new List<TlsCertPair>();
        string? cert = null, key = null;
        var result = new TlsServerConfig { CertPairs = [] };
        foreach (var (name, k, value) in YamlValue.Entries(map))
        {
            switch (name)
            {
                case "cert_pairs" or "cert_pair":
                    foreach (var item in value is YamlSequenceNode seq ? seq.Children : [value]) pairs.Add(Pair(item, scope));
                    break;
                case "certificate": cert = PemLoader.FromYaml(value, scope); break;
                case "private_key": key = PemLoader.FromYaml(value, scope); break;
                case "enable_client_auth": result = result with { EnableClientAuth = YamlValue.Bool(value) }; break;
                case "ca_certificate" or "client_auth_certificate":
                    result = result with { CaCertificatePem = PemLoader.FromYaml(value, scope) };
                    break;
                case "no_session_ticket": result = result with { NoSessionTicket = YamlValue.Bool(value) }; break;
                case "no_session_cache": result = result with { NoSessionCache = YamlValue.Bool(value) }; break;
                case "handshake_timeout": result = result with { HandshakeTimeout = HumanDuration.FromYaml(value) }; break;
                case "tlcp_cert_pairs" or "tlcp_cert_pair" or "enable_tlcp":
                    throw new NotSupportedYetException($"tls_server.{name}", k);
                default: throw YamlValue.UnknownKey(name, k);
            }
        }
        if ((cert is null) != (key is null))
            throw new ConfigValueException("certificate and private_key must be set together", keyNode);
        if (cert is not null) pairs.Insert(0, Checked(new TlsCertPair(cert, key!), map));
        if (pairs.Count == 0) throw new ConfigValueException("tls_server needs cert_pairs or certificate and private_key", keyNode);
        return result with { CertPairs = pairs };
    }

    private static TlsCertPair Pair(YamlNode node, EntryScope scope)
    {
        var map = YamlValue.Map(node, "a cert pair map");
        string? cert = null, key = null;
        foreach (var (name, k, value) in YamlValue.Entries(map))
        {
            switch (name)
            {
                case "certificate": cert = PemLoader.FromYaml(value, scope); break;
                case "private_key": key = PemLoader.FromYaml(value, scope); break;
                default: throw YamlValue.UnknownKey(name, k);
            }
        }
        if (cert is null || key is null) throw new ConfigValueException("a cert pair needs certificate and private_key", node);
        return Checked(new TlsCertPair(cert, key), node);
    }

    private static TlsCertPair Checked(TlsCertPair pair, YamlNode at)
    {
        try
        {
            using var _ = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pair.CertificatePem, pair.PrivateKeyPem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ConfigValueException("certificate and private_key do not load as a pair: " + e.Message, at);
        }
        return pair;
    }
}
