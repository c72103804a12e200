using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Auditors;

/// <summary>Folds a g3 sub-map (normalised keys) into an immutable record, one key at a time.</summary>
internal static class MapFold
{
    public delegate T Step<T>(T current, string key, YamlNode keyNode, YamlNode value);

    public static T Apply<T>(YamlNode node, string what, T seed, Step<T> step) =>
        Apply(node as YamlMappingNode ?? throw YamlValue.Expected($"a map ({what})", node), seed, step);

    public static T Apply<T>(YamlMappingNode map, T seed, Step<T> step)
    {
        foreach (var (key, k, v) in YamlValue.Entries(map)) seed = step(seed, key, k, v);
        return seed;
    }
}
