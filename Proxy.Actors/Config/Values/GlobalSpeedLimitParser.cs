using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's global stream/datagram speed limits (lib/g3-yaml value/speed_limit.rs): a size is that many
/// bytes a second; a map sets replenish_interval, replenish_bytes[/packets], max_burst_bytes[/packets].
/// </summary>
internal static class GlobalSpeedLimitParser
{
    public static GlobalStreamSpeedLimit Stream(YamlNode node)
    {
        if (node is not YamlMappingNode map) return GlobalStreamSpeedLimit.PerSecond(HumanSize.FromYaml(node));
        var interval = TimeSpan.Zero;
        long bytes = 0, burst = 0;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "replenish_interval": interval = HumanDuration.FromYaml(value); break;
                case "replenish_bytes": bytes = HumanSize.FromYaml(value); break;
                case "max_burst_bytes": burst = HumanSize.FromYaml(value); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        if (bytes == 0) throw new ConfigValueException("no replenish bytes set", node);
        return new GlobalStreamSpeedLimit(Interval(interval, node), bytes, Math.Max(burst, bytes));
    }

    public static GlobalDatagramSpeedLimit Datagram(YamlNode node)
    {
        if (node is not YamlMappingNode map) return GlobalDatagramSpeedLimit.PerSecond(HumanSize.FromYaml(node));
        var interval = TimeSpan.Zero;
        long bytes = 0, packets = 0, burstBytes = 0, burstPackets = 0;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "replenish_interval": interval = HumanDuration.FromYaml(value); break;
                case "replenish_bytes": bytes = HumanSize.FromYaml(value); break;
                case "replenish_packets": packets = HumanSize.FromYaml(value); break;
                case "max_burst_bytes": burstBytes = HumanSize.FromYaml(value); break;
                case "max_burst_packets": burstPackets = HumanSize.FromYaml(value); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        if (bytes == 0 && packets == 0) throw new ConfigValueException("no replenish bytes/packets set", node);
        return new GlobalDatagramSpeedLimit(Interval(interval, node), bytes, packets, Math.Max(burstBytes, bytes), Math.Max(burstPackets, packets));
    }

    // g3 leaves a zero interval in place (its replenish task would spin); refuse it instead.
    private static TimeSpan Interval(TimeSpan interval, YamlNode node) =>
        interval > TimeSpan.Zero ? interval : throw new ConfigValueException("replenish_interval must be set and positive", node);
}
