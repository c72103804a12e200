using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's tcp_keepalive: a bool, an idle duration, or <c>{enable, idle_time}</c>; null means off.
/// The probe knobs have no field yet, so they are refused rather than dropped.
/// </summary>
internal static class TcpKeepaliveParser
{
    private static readonly TimeSpan DefaultIdle = TimeSpan.FromSeconds(60);

    public static TimeSpan? FromYaml(YamlNode node)
    {
        if (node is YamlMappingNode map)
        {
            var enable = true;
            var idle = DefaultIdle;
            foreach (var (key, k, value) in YamlValue.Entries(map))
            {
                switch (key)
                {
                    case "enable": enable = YamlValue.Bool(value); break;
                    case "idle_time": idle = HumanDuration.FromYaml(value); break;
                    case "probe_interval" or "probe_count": throw new NotSupportedYetException($"tcp_keepalive.{key}", k);
                    default: throw YamlValue.UnknownKey(key, k);
                }
            }
            return enable ? idle : null;
        }
        if (YamlValue.IsInteger(node) || YamlValue.IsFloat(node)) return HumanDuration.FromYaml(node);
        var text = YamlValue.String(node, "a bool, a duration or a map");
        if (HumanDuration.TryParse(text, out var d)) return d;
        return YamlValue.Bool(node) ? DefaultIdle : null;
    }
}
