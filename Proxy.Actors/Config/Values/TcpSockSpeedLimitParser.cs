using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's tcp_sock_speed_limit (lib/g3-yaml value/speed_limit.rs): a size means that many bytes per
/// 2^10 ms slice in both directions; a map sets <c>shift_millis</c> and per-slice bytes per direction.
/// A map without a shift sets no limit, as in g3.
/// </summary>
public static class TcpSockSpeedLimitParser
{
    public const int DefaultShiftMillis = 10;
    private const int MaxShiftMillis = 12;

    internal static TcpSockSpeedLimit FromYaml(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            var limit = HumanSize.FromYaml(node);
            return new TcpSockSpeedLimit(DefaultShiftMillis, limit, limit);
        }
        int shift = 0;
        long north = 0, south = 0;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "shift" or "shift_millis": shift = YamlValue.Int32(value, 0, MaxShiftMillis); break;
                case "upload" or "north" or "upload_bytes" or "north_bytes": north = HumanSize.FromYaml(value); break;
                case "download" or "south" or "download_bytes" or "south_bytes": south = HumanSize.FromYaml(value); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        return shift == 0 ? TcpSockSpeedLimit.Unlimited : new TcpSockSpeedLimit(shift, north, south);
    }
}
