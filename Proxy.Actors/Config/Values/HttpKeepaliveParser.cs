using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's http keepalive value (lib/g3-yaml value/net/http.rs): a bool, an idle duration, or
/// <c>{enable, idle_expire}</c>. (http_proxy's http_forward_upstream_keepalive reads the same shape.)
/// </summary>
internal static class HttpKeepaliveParser
{
    public static HttpKeepaliveConfig FromYaml(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            if (YamlValue.IsPlain(node) && !YamlValue.IsInteger(node) && !YamlValue.IsFloat(node))
                try { return new HttpKeepaliveConfig(YamlValue.Bool(node)); }
                catch (ConfigValueException) { /* not a bool: read it as a duration below */ }
            return new HttpKeepaliveConfig(true, HumanDuration.FromYaml(node));
        }
        var result = HttpKeepaliveConfig.Default;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            result = key switch
            {
                "enable" => result with { Enable = YamlValue.Bool(value) },
                "idle_expire" => result with { IdleExpireOrDefault = HumanDuration.FromYaml(value) },
                _ => throw YamlValue.UnknownKey(key, keyNode),
            };
        }
        return result;
    }
}
