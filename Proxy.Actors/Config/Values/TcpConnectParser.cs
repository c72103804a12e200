using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's tcp_connect: <c>{max_retry, each_timeout}</c>.</summary>
internal static class TcpConnectParser
{
    public static TcpConnectConfig FromYaml(YamlNode node)
    {
        var result = TcpConnectConfig.Default;
        foreach (var (key, keyNode, value) in YamlValue.Entries(YamlValue.Map(node)))
        {
            result = key switch
            {
                "max_retry" => result with { MaxRetry = YamlValue.Int32(value, 0, 255) },
                "each_timeout" => result with { EachTimeoutOrDefault = HumanDuration.FromYaml(value) },
                _ => throw YamlValue.UnknownKey(key, keyNode),
            };
        }
        return result;
    }
}
