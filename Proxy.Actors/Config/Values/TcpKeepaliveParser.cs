using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's tcp_keepalive: a bool, an idle duration, or <c>{enable, idle_time, probe_interval, probe_count}</c>;
/// null means off.
/// </summary>
internal static class TcpKeepaliveParser
{
    public static TcpKeepaliveConfig? FromYaml(YamlNode node)
    {
        if (node is YamlMappingNode map)
        {
            var enable = true;
            var result = TcpKeepaliveConfig.Default;
            foreach (var (key, k, value) in YamlValue.Entries(map))
            {
                result = key switch
                {
                    "enable" => Enable(value, ref enable, result),
                    "idle_time" => result with { IdleTime = HumanDuration.FromYaml(value) },
                    "probe_interval" => result with { ProbeInterval = HumanDuration.FromYaml(value) },
                    "probe_count" => result with { ProbeCount = (int)YamlValue.Integer(value, 1, int.MaxValue, "a probe count") },
                    _ => throw YamlValue.UnknownKey(key, k),
                };
            }
            return enable ? result : null;
        }
        if (YamlValue.IsInteger(node) || YamlValue.IsFloat(node)) return new TcpKeepaliveConfig(HumanDuration.FromYaml(node));
        var text = YamlValue.String(node, "a bool, a duration or a map");
        if (HumanDuration.TryParse(text, out var d)) return new TcpKeepaliveConfig(d);
        return YamlValue.Bool(node) ? TcpKeepaliveConfig.Default : null;
    }

    private static TcpKeepaliveConfig Enable(YamlNode value, ref bool enable, TcpKeepaliveConfig current)
    {
        enable = YamlValue.Bool(value);
        return current;
    }
}
