using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>g3's rate limit quota (lib/g3-yaml value/rate_limit.rs): <c>100</c>, <c>"10/m"</c>, or <c>{rate, replenish_interval, max_burst}</c>.</summary>
internal static class RateLimitQuotaParser
{
    public static RateLimitQuota FromYaml(YamlNode node)
    {
        if (node is not YamlMappingNode map) return Scalar(node);
        RateLimitQuota? quota = null;
        int? maxBurst = null;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "rate": quota = Scalar(value); break;
                case "replenish_interval":
                    var period = HumanDuration.FromYaml(value);
                    quota = period > TimeSpan.Zero ? new RateLimitQuota(period, 1) : throw new ConfigValueException("replenish_interval must be positive", value);
                    break;
                case "max_burst": maxBurst = YamlValue.Int32(value, 1); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        if (quota is null) throw new ConfigValueException("no rate / replenish_interval is set", node);
        return maxBurst is { } b ? quota with { MaxBurst = b } : quota;
    }

    private static RateLimitQuota Scalar(YamlNode node)
    {
        if (YamlValue.IsInteger(node)) return RateLimitQuota.PerPeriod(TimeSpan.FromSeconds(1), YamlValue.Int32(node, 1));
        var text = YamlValue.String(node, "a rate (100, '100/s', '10/m', '5/h') or a map");
        var slash = text.IndexOf('/');
        var countText = slash < 0 ? text : text[..slash].Trim();
        var period = (slash < 0 ? "s" : text[(slash + 1)..]) switch
        {
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            _ => throw new ConfigValueException($"invalid unit in rate '{text}' (s, m or h)", node),
        };
        if (!int.TryParse(countText, out var count) || count <= 0)
            throw new ConfigValueException($"invalid rate '{text}': the count must be a positive integer", node);
        try { return RateLimitQuota.PerPeriod(period, count); }
        catch (FormatException e) { throw new ConfigValueException(e.Message, node); }
    }
}
