using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>g3's <c>stat:</c> (StatsD): parsed in full now; the emitter reads the record.</summary>
internal static class StatSection
{
    private static readonly KeyTable<StatConfig> Keys = new KeyTable<StatConfig>()
        .On("target_udp", (c, v, _) => Udp(c, v))
        .On("target_unix", (c, v, _) => c with { TargetUnix = YamlValue.String(v, "a unix socket path") })
        .On("target", (c, v, _) => Target(c, v))
        .On("prefix", (c, v, _) => c with { Prefix = YamlValue.String(v, "a metrics prefix") })
        .On("emit_interval|emit_duration", (c, v, _) => c with { EmitInterval = HumanDuration.FromYaml(v) })
        .On("cache_size", (c, v, _) => c with { CacheSize = HumanSize.FromYamlInt32(v) })
        .On("max_segment_size", (c, v, _) => c with { MaxSegmentSize = HumanSize.FromYamlInt32(v) });

    public static StatConfig Parse(YamlNode value, EntryScope scope) =>
        Keys.Apply(new StatConfig(), YamlValue.Map(value, "a map of stat keys"), scope.ForEntry("stat"));

    /// <summary><c>"host:port"</c> or <c>{address, bind_ip}</c>; the address defaults to 127.0.0.1:8125.</summary>
    private static StatConfig Udp(StatConfig c, YamlNode v)
    {
        if (v is not YamlMappingNode map) return c with { TargetUdp = SockAddrParser.FromYaml(v, 8125).ToString() };
        c = c with { TargetUdp = "127.0.0.1:8125" };
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            c = key switch
            {
                "address" or "addr" => c with { TargetUdp = SockAddrParser.FromYaml(value, 8125).ToString() },
                "bind_ip" or "bind" => c with { TargetUdpBindIp = SockAddrParser.Ip(value) },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return c;
    }

    private static StatConfig Target(StatConfig c, YamlNode v)
    {
        foreach (var (key, k, value) in YamlValue.Entries(YamlValue.Map(v)))
        {
            c = key switch
            {
                "udp" => Udp(c, value),
                "unix" => c with { TargetUnix = YamlValue.String(value, "a unix socket path") },
                _ => throw YamlValue.UnknownKey(key, k),
            };
        }
        return c;
    }
}
