using System.Net;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>The keys of g3's socks_proxy beyond the common server keys.</summary>
internal static class SocksProxyKeyTable
{
    public static KeyTable<ServerConfig> Build(KeyTable<ServerConfig> common) => common
        .On("auditor", (c, v, _) => c with { Auditor = YamlValue.String(v, "an auditor name") })
        .On("user_group", (c, v, _) => c with { UserGroup = YamlValue.String(v, "a user group name") })
        .On("use_udp_associate|enable_udp_associate", (c, v, _) => Socks(c) with { UseUdpAssociate = YamlValue.Bool(v) })
        .On("negotiation_timeout", (c, v, _) => Socks(c) with { NegotiationTimeout = HumanDuration.FromYaml(v) })
        .On("udp_client_initial_timeout", (c, v, _) => Socks(c) with { UdpClientInitialTimeout = HumanDuration.FromYaml(v) })
        .On("udp_bind_ipv4", (c, v, _) => Socks(c) with { UdpBindIpv4 = Family(v, System.Net.Sockets.AddressFamily.InterNetwork) })
        .On("udp_bind_ipv6", (c, v, _) => Socks(c) with { UdpBindIpv6 = Family(v, System.Net.Sockets.AddressFamily.InterNetworkV6) })
        .On("udp_bind_port_range", (c, v, _) => Socks(c) with { UdpBindPortRange = PortRange(v) })
        .On("udp_socket_buffer", (c, v, _) => Socks(c) with { UdpSocketBuffer = SocketBufferConfig.FromYaml(v) })
        .On("transmute_udp_echo_ip|auto_reply_local_ip_map", (c, v, _) => Socks(c) with { TransmuteUdpEchoIp = IpMapParser.FromYaml(v) })
        .On("udp_sock_speed_limit|udp_relay_speed_limit|udp_relay_limit|relay_limit",
            (c, v, _) => Socks(c) with { UdpSockSpeedLimit = UdpSockSpeedLimitParser.FromYaml(v) })
        // g3 clamps the packet size into 512..64K rather than refusing
        .On("udp_relay_packet_size", (c, v, _) => Socks(c) with { UdpRelayPacketSize = Math.Clamp(HumanSize.FromYamlInt32(v), 512, 64 * 1024) })
        // batching (recvmmsg) and yielding are tokio tuning: one datagram per receive here
        .NoEffect("udp_relay_yield_size|udp_relay_batch_size")
        .On("username_params|username_params_to_escaper_addr", (c, v, s, k, _) => Socks(c) with { UsernameParams = UsernameParamsParser.FromYaml(v, s, k) })
        .On("udp_misc_opts", (c, v, _) => Socks(c) with { UdpMiscOpts = MiscSockOptsParser.Udp(v) });

    private static SocksProxyServerConfig Socks(ServerConfig c) => (SocksProxyServerConfig)c;

    private static IReadOnlyList<IPAddress> Family(YamlNode v, System.Net.Sockets.AddressFamily family)
    {
        var ips = new List<IPAddress>();
        foreach (var item in YamlValue.List(v))
        {
            var ip = SockAddrParser.Ip(item);
            if (ip.AddressFamily != family)
                throw YamlValue.Expected(family == System.Net.Sockets.AddressFamily.InterNetwork ? "an IPv4 address" : "an IPv6 address", item);
            ips.Add(ip);
        }
        return ips;
    }

    /// <summary>g3's port range: <c>"start-end"</c> or <c>{start, end}</c>, start > 0 and end > start.</summary>
    private static (int, int) PortRange(YamlNode v)
    {
        int start, end;
        if (v is YamlMappingNode map)
        {
            start = end = -1;
            foreach (var (key, k, value) in YamlValue.Entries(map))
            {
                switch (key)
                {
                    case "start": start = YamlValue.Int32(value, 1, 65535); break;
                    case "end": end = YamlValue.Int32(value, 1, 65535); break;
                    default: throw YamlValue.UnknownKey(key, k);
                }
            }
        }
        else
        {
            var text = YamlValue.String(v, "a port range 'start-end'");
            var parts = text.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], out start) || !int.TryParse(parts[1], out end))
                throw YamlValue.Expected("a port range 'start-end'", v);
        }
        if (start is < 1 or > 65535 || end is < 1 or > 65535 || end <= start)
            throw YamlValue.Expected("a port range with 0 < start < end <= 65535", v);
        return (start, end);
    }
}
