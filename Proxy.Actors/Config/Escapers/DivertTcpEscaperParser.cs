using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's divert_tcp keys (g3proxy/src/config/escaper/divert_tcp.rs): the next-hop keys of proxy_http, nothing else.</summary>
internal static class DivertTcpEscaperParser
{
    private static readonly KeyTable<EscaperConfig> Keys = NextProxyKeyTable.Keys(tls: false, negotiation: false);

    public static EscaperConfig Parse(string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        var seed = new ProxyHttpEscaperConfig { Name = name, Position = position };
        var hop = (ProxyHttpEscaperConfig)Keys.Apply(seed, map, scope);
        NextProxyKeyTable.Check(hop, tls: false, map, scope);
        return new DivertTcpEscaperConfig { Name = name, Position = position, NextHop = hop, Resolver = hop.Resolver, ExtraMetricsTags = hop.ExtraMetricsTags };
    }
}
