using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's extra_metrics_tags: a map of tag name to scalar value.</summary>
internal static class MetricsTagsParser
{
    public static IReadOnlyDictionary<string, string> FromYaml(YamlNode node)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in YamlValue.Map(node).Children)
            tags[YamlValue.String(k, "a tag name")] = YamlValue.String(v, "a tag value");
        return tags;
    }
}
