using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>Reads <c>username_params</c> with g3's keys and aliases, and checks what g3 checks at load.</summary>
internal static class UsernameParamsParser
{
    private static readonly KeyTable<UsernameParamsConfig> Keys = new KeyTable<UsernameParamsConfig>()
        .On("keys_for_host|keys", (c, v, _) => c with { KeysForHost = Strings(v) })
        .On("resolve_sticky_key", (c, v, _) => c with { ResolveStickyKey = YamlValue.String(v, "a key name") })
        .On("require_hierarchy", (c, v, _) => c with { RequireHierarchy = YamlValue.Bool(v) })
        .On("floating_keys|floating", (c, v, _) => c with { FloatingKeys = Strings(v) })
        .On("reject_unknown_keys", (c, v, _) => c with { RejectUnknownKeys = YamlValue.Bool(v) })
        .On("reject_duplicate_keys", (c, v, _) => c with { RejectDuplicateKeys = YamlValue.Bool(v) })
        .On("separator", (c, v, _) => c with { Separator = YamlValue.String(v, "a separator") })
        .On("domain_suffix|suffix", (c, v, _) => c with { DomainSuffix = Suffix(YamlValue.String(v, "a domain suffix")) })
        .On("http_port", (c, v, _) => c with { HttpPort = YamlValue.Int32(v, 1, 65535) })
        .On("socks5_port|socks_port", (c, v, _) => c with { Socks5Port = YamlValue.Int32(v, 1, 65535) })
        .On("strip_suffix_for_auth|auth_strip_suffix", (c, v, _) => c with { StripSuffixForAuth = YamlValue.Bool(v) });

    public static UsernameParamsConfig FromYaml(YamlNode value, EntryScope scope, string key)
    {
        var c = Keys.Apply(new UsernameParamsConfig(), YamlValue.Map(value), scope);
        if (c.KeysForHost.Any(k => k.Length == 0)) scope.Error(value, key, "keys_for_host contains an empty key");
        foreach (var f in c.FloatingKeys.Where(f => !c.KeysForHost.Contains(f, StringComparer.Ordinal)))
            scope.Error(value, key, $"floating key '{f}' must be listed in keys_for_host");
        return c;
    }

    private static string Suffix(string s) => s.Length == 0 || s.StartsWith('.') ? s : "." + s;

    private static IReadOnlyList<string> Strings(YamlNode v) => YamlValue.List(v).Select(n => YamlValue.String(n, "a key name")).ToList();
}
