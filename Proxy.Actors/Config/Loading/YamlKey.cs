namespace Proxy.Actors.Config.Loading;

/// <summary>g3's key rules: keys compare lower-cased with '-' read as '_'; type names also drop '_'.</summary>
internal static class YamlKey
{
    public static string Normalize(string key) => key.ToLowerInvariant().Replace('-', '_');

    public static string NormalizeTypeName(string type) =>
        type.ToLowerInvariant().Replace("_", "").Replace("-", "");
}
