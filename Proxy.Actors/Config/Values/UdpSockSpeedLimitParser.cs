using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's udp_sock_speed_limit: a size (bytes per 2^10 ms slice both ways) or a map of bytes/packets per direction.</summary>
internal static class UdpSockSpeedLimitParser
{
    public static void Validate(YamlNode node) => FromYaml(node);

    public static UdpSockSpeedLimit FromYaml(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            var limit = HumanSize.FromYaml(node);
            return new UdpSockSpeedLimit(TcpSockSpeedLimitParser.DefaultShiftMillis, limit, limit, 0, 0);
        }
        var result = UdpSockSpeedLimit.Unlimited with { ShiftMillis = 0 };
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            result = key switch
            {
                "shift" or "shift_millis" => result with { ShiftMillis = YamlValue.Int32(value, 0, 12) },
                "upload_packets" or "north_packets" => result with { MaxNorthPackets = YamlValue.Integer(value, 0) },
                "download_packets" or "south_packets" => result with { MaxSouthPackets = YamlValue.Integer(value, 0) },
                "upload_bytes" or "north_bytes" => result with { MaxNorthBytes = HumanSize.FromYaml(value) },
                "download_bytes" or "south_bytes" => result with { MaxSouthBytes = HumanSize.FromYaml(value) },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        // as the tcp limit: a map without a shift sets no limit, as in g3
        return result.ShiftMillis == 0 ? UdpSockSpeedLimit.Unlimited : result;
    }
}
