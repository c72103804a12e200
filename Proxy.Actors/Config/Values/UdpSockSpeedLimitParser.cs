using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's udp_sock_speed_limit: a size (bytes per slice both ways) or a map of bytes/packets per direction.</summary>
internal static class UdpSockSpeedLimitParser
{
    public static void Validate(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            HumanSize.FromYaml(node);
            return;
        }
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "shift" or "shift_millis": YamlValue.Int32(value, 0, 12); break;
                case "upload_packets" or "north_packets" or "download_packets" or "south_packets": YamlValue.Integer(value, 0); break;
                case "upload_bytes" or "north_bytes" or "download_bytes" or "south_bytes": HumanSize.FromYaml(value); break;
                default: throw YamlValue.UnknownKey(key, k);
            }
        }
    }
}
