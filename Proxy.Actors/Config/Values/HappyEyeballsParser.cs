using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's happy_eyeballs map; connection_attempt_delay is clamped to [100ms, 2s] as RFC 8305 asks.</summary>
internal static class HappyEyeballsParser
{
    public static HappyEyeballsConfig FromYaml(YamlNode node)
    {
        var result = HappyEyeballsConfig.Default;
        foreach (var (key, keyNode, value) in YamlValue.Entries(YamlValue.Map(node)))
        {
            result = key switch
            {
                "resolution_delay" => result with { ResolutionDelay = HumanDuration.FromYaml(value) },
                "second_resolution_timeout" => result with { SecondResolutionTimeout = HumanDuration.FromYaml(value) },
                "first_address_family_count" => result with { FirstAddressFamilyCount = YamlValue.Int32(value, 1, 255) },
                "connection_attempt_delay" => result with
                {
                    ConnectionAttemptDelay = Clamp(HumanDuration.FromYaml(value), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2)),
                },
                _ => throw YamlValue.UnknownKey(key, keyNode),
            };
        }
        return result;
    }

    private static TimeSpan Clamp(TimeSpan v, TimeSpan min, TimeSpan max) => v < min ? min : v > max ? max : v;
}
