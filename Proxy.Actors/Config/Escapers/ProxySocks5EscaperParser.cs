using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Escapers;

/// <summary>g3's proxy_socks5 and proxy_socks5s keys (g3proxy/src/config/escaper/proxy_socks5.rs, proxy_socks5s.rs).</summary>
internal static class ProxySocks5EscaperParser
{
    private static readonly KeyTable<EscaperConfig> PlainKeys = SocksOnlyKeys(NextProxyKeyTable.Keys(tls: false));
    private static readonly KeyTable<EscaperConfig> TlsKeys = SocksOnlyKeys(NextProxyKeyTable.Keys(tls: true));

    private static KeyTable<EscaperConfig> SocksOnlyKeys(KeyTable<EscaperConfig> t) => t
        .On("udp_sock_speed_limit|udp_relay_speed_limit|udp_relay_limit|relay_limit",
            (c, v, _) => S(c) with { UdpSockSpeedLimit = UdpSockSpeedLimitParser.FromYaml(v) })
        .On("transmute_udp_peer_ip", (c, v, _) => S(c) with { TransmuteUdpPeerIp = IpMapParser.FromYaml(v) })
        .On("end_on_control_closed", (c, v, _) => S(c) with { EndOnControlClosed = YamlValue.Bool(v) })
        .On("udp_misc_opts", (c, v, _) => S(c) with { UdpMiscOpts = MiscSockOptsParser.Udp(v) });

    public static EscaperConfig Parse(bool tls, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope)
    {
        // g3's default for these types: keepalive on, 60s
        var seed = new ProxySocks5EscaperConfig { Name = name, Position = position, Tls = tls, TcpKeepalive = TcpKeepaliveConfig.Default };
        var c = (ProxySocks5EscaperConfig)(tls ? TlsKeys : PlainKeys).Apply(seed, map, scope);
        NextProxyKeyTable.Check(c, tls, map, scope);
        return c;
    }

    private static ProxySocks5EscaperConfig S(EscaperConfig c) => (ProxySocks5EscaperConfig)c;
}
