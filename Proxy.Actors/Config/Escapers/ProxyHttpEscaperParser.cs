using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's proxy_http and proxy_https keys (g3proxy/src/config/escaper/proxy_http.rs, proxy_https.rs).</summary>
internal static class ProxyHttpEscaperParser
{
    private static readonly KeyTable<EscaperConfig> HttpKeys = HttpOnlyKeys(NextProxyKeyTable.Keys(tls: false));
    private static readonly KeyTable<EscaperConfig> HttpsKeys = HttpOnlyKeys(NextProxyKeyTable.Keys(tls: true));

    private static KeyTable<EscaperConfig> HttpOnlyKeys(KeyTable<EscaperConfig> t) => t
        .On("http_forward_capability", (c, v, _) => P(c) with { HttpForwardCapability = Capability(v) })
        .On("http_connect_rsp_header_max_size", (c, v, _) => P(c) with { HttpConnectRspHeaderMaxSize = HumanSize.FromYamlInt32(v) })
        .On("pass_proxy_userid", (c, v, _) => P(c) with { PassProxyUserid = YamlValue.Bool(v) })
        .On("use_proxy_protocol", (c, v, _) => P(c) with { UseProxyProtocol = YamlValue.Int32(v, 1, 2) });

    public static EscaperConfig Parse(bool https, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        var seed = new ProxyHttpEscaperConfig { Name = name, Position = position, Https = https };
        var c = (ProxyHttpEscaperConfig)(https ? HttpsKeys : HttpKeys).Apply(seed, map, scope);
        return Check(c, map, scope);
    }

    private static ProxyHttpEscaperConfig P(EscaperConfig c) => (ProxyHttpEscaperConfig)c;

    internal static HttpForwardCapability Capability(YamlNode node)
    {
        var map = YamlValue.Map(node, "a map of forward_* flags");
        var c = HttpForwardCapability.None;
        foreach (var (key, k, v) in YamlValue.Entries(map))
        {
            var on = YamlValue.Bool(v);
            c = key switch
            {
                "forward_https" => c with { ForwardHttps = on },
                "forward_ftp" => c with { ForwardFtpGet = on, ForwardFtpPut = on, ForwardFtpDel = on },
                "forward_ftp_get" => c with { ForwardFtpGet = on },
                "forward_ftp_put" => c with { ForwardFtpPut = on },
                "forward_ftp_del" => c with { ForwardFtpDel = on },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return c;
    }

    /// <summary>g3's check(): the shared one, and auth and userid passing exclusive.</summary>
    private static ProxyHttpEscaperConfig Check(ProxyHttpEscaperConfig c, YamlMappingNode map, EntryScope scope)
    {
        NextProxyKeyTable.Check(c, c.Https, map, scope);
        if (c.ProxyUsername is not null && c.PassProxyUserid)
            scope.Error(map, "pass_proxy_userid", "pass_proxy_userid conflicts with proxy_username (the next proxy needs real auth)");
        return c;
    }
}
