using System.Text;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Auditors;

/// <summary>g3's icap service config (lib/g3-icap-client service/config/yaml.rs): a URL string or a map.</summary>
internal static class IcapServiceParser
{
    public static IcapServiceConfig FromYaml(YamlNode node, IcapMethod method, EntryScope scope)
    {
        if (node is not YamlMappingNode map) return FromUrl(node, method);
        var urlNode = YamlValue.Entries(map).FirstOrDefault(e => e.Key == "url").Value
                      ?? throw new ConfigValueException("missing required key 'url'", node);
        var c = FromUrl(urlNode, method);
        return MapFold.Apply(map, c, (c, key, k, v) => key switch
        {
            "url" => c,
            "tls_client" => c with { TlsClient = TlsClientParser.FromYaml(v, scope, k) ?? TlsClientConfig.Default },
            "tls_name" => c with { TlsName = YamlValue.String(v, "a TLS server name") },
            "tcp_keepalive" => c with { TcpKeepalive = TcpKeepaliveParser.FromYaml(v) },
            "use_unix_socket" => c with { UseUnixSocket = AbsolutePath(v) },
            "icap_connection_pool" or "connection_pool" or "pool" => c with { ConnectionPool = Pool(v) },
            "icap_max_header_size" => c with { IcapMaxHeaderSize = HumanSize.FromYamlInt32(v) },
            "disable_preview" or "no_preview" => c with { NoPreview = YamlValue.Bool(v) },
            "preview_data_read_timeout" => c with { PreviewDataReadTimeout = HumanDuration.FromYaml(v) },
            "respond_shared_names" => c with { RespondSharedNames = HeaderNames(v) },
            "bypass" => c with { Bypass = YamlValue.Bool(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    private static IcapServiceConfig FromUrl(YamlNode node, IcapMethod method)
    {
        var text = YamlValue.String(node, "an icap:// or icaps:// URL");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Host.Length == 0)
            throw new ConfigValueException($"invalid url '{text}'", node);
        var tls = url.Scheme.ToLowerInvariant() switch
        {
            "icap" => null,
            "icaps" => TlsClientConfig.Default,
            _ => throw new ConfigValueException($"unsupported ICAP URL scheme: {url.Scheme}", node),
        };
        string? auth = null;
        if (url.UserInfo.Length > 0)
        {
            auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo)));
            url = new UriBuilder(url) { UserName = "", Password = "" }.Uri;
        }
        return new IcapServiceConfig { Method = method, Url = url, BasicAuth = auth, TlsClient = tls, TlsName = url.IdnHost };
    }

    private static ConnectionPoolConfig Pool(YamlNode node)
    {
        return MapFold.Apply(node, "connection pool", new ConnectionPoolConfig(), (c, key, k, v) => key switch
        {
            "check_interval" => c with { CheckInterval = HumanDuration.FromYaml(v) },
            "max_idle_count" => c with { MaxIdleCount = YamlValue.Int32(v) },
            "min_idle_count" => c with { MinIdleCount = YamlValue.Int32(v) },
            "idle_timeout" => c with { IdleTimeout = HumanDuration.FromYaml(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    private static string AbsolutePath(YamlNode v)
    {
        var path = YamlValue.String(v, "an absolute path");
        return Path.IsPathRooted(path) ? path : throw new ConfigValueException($"'{path}' is not an absolute path", v);
    }

    private static HashSet<string> HeaderNames(YamlNode node)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in YamlValue.List(node))
        {
            var name = YamlValue.String(item, "an HTTP header name");
            if (name.Length == 0 || name.Any(ch => ch <= ' ' || ch >= 0x7f || "()<>@,;:\\\"/[]?={}".Contains(ch)))
                throw new ConfigValueException($"invalid http header name '{name}'", item);
            names.Add(name.ToLowerInvariant());
        }
        return names;
    }
}
