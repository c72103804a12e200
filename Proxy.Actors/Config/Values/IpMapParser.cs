using System.Net;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's IP-to-IP map or bool (transmute_udp_echo_ip, transmute_udp_peer_ip): true is an empty map, false is off (null).</summary>
internal static class IpMapParser
{
    public static IReadOnlyDictionary<IPAddress, IPAddress>? FromYaml(YamlNode v)
    {
        if (v is not YamlMappingNode map) return YamlValue.Bool(v) ? new Dictionary<IPAddress, IPAddress>() : null;
        var result = new Dictionary<IPAddress, IPAddress>();
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            if (!IPAddress.TryParse(key, out var from)) throw YamlValue.Expected("an IP address as key", k);
            result[from] = SockAddrParser.Ip(value);
        }
        return result;
    }
}
