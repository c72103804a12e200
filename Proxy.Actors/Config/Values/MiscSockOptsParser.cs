using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's tcp misc sock opts and udp misc sock opts maps (lib/g3-yaml value/net/tcp.rs, udp.rs).</summary>
internal static class MiscSockOptsParser
{
    public static TcpMiscSockOpts Tcp(YamlNode node)
    {
        var result = TcpMiscSockOpts.None;
        foreach (var (key, k, v) in YamlValue.Entries(YamlValue.Map(node, "a tcp misc sock opts map")))
        {
            result = Named(key, () => key switch
            {
                "no_delay" => result with { NoDelay = YamlValue.Bool(v) },
                "max_segment_size" or "mss" => result with { MaxSegmentSize = U16(v) },
                "time_to_live" or "ttl" => result with { TimeToLive = U8(v) },
                "hop_limit" => result with { HopLimit = U8(v) },
                "type_of_service" or "tos" => result with { TypeOfService = U8(v) },
                "traffic_class" => result with { TrafficClass = U8(v) },
                "congestion_control" => result with { CongestionControl = Algorithm(v) },
                "netfilter_mark" or "mark" => result with { NetfilterMark = U32(v) },
                _ => throw YamlValue.UnknownKey(key, k),
            });
        }
        return result;
    }

    public static UdpMiscSockOpts Udp(YamlNode node)
    {
        var result = UdpMiscSockOpts.None;
        foreach (var (key, k, v) in YamlValue.Entries(YamlValue.Map(node, "a udp misc sock opts map")))
        {
            result = Named(key, () => key switch
            {
                "time_to_live" or "ttl" => result with { TimeToLive = U8(v) },
                "hop_limit" => result with { HopLimit = U8(v) },
                "type_of_service" or "tos" => result with { TypeOfService = U8(v) },
                "traffic_class" => result with { TrafficClass = U8(v) },
                "netfilter_mark" or "mark" => result with { NetfilterMark = U32(v) },
                _ => throw YamlValue.UnknownKey(key, k),
            });
        }
        return result;
    }

    /// <summary>A bad inner value names its inner key too (the table names only the outer one).</summary>
    private static T Named<T>(string key, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ConfigValueException e) when (!e.Message.StartsWith("unknown key", StringComparison.Ordinal))
        {
            throw new ConfigValueException($"{key}: {e.Message}", e.At);
        }
    }

    public static int U8(YamlNode v) => (int)YamlValue.Integer(v, 0, byte.MaxValue, "a u8");

    public static int U16(YamlNode v) => (int)YamlValue.Integer(v, 0, ushort.MaxValue, "a u16");

    public static uint U32(YamlNode v) => (uint)YamlValue.Integer(v, 0, uint.MaxValue, "a u32");

    /// <summary>A kernel congestion control name (TCP_CA_NAME_MAX is 16 with the NUL).</summary>
    private static string Algorithm(YamlNode v)
    {
        var name = YamlValue.String(v, "a congestion control algorithm name");
        return name.Length is > 0 and < 16 && name.All(ch => ch is > ' ' and < (char)0x7F)
            ? name
            : throw new ConfigValueException($"invalid congestion control algorithm '{name}'", v);
    }
}
