using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Audit.CertGen;

/// <summary>
/// Loads the generator's YAML file (every document, as g3fcgen reads them). Refusals name file, line
/// and key, as the proxy's loader does; runtime/worker/stat are accepted with a no-effect warning.
/// </summary>
public static class CertGenConfigLoader
{
    private sealed record Draft(string? Cert, string? Key, bool NoAppend, bool KeepSerial, int MaxTtl, CertKeyType KeyType, IPEndPoint? Listen);

    public static (CertGenConfig Config, IReadOnlyList<ConfigError> Warnings) Load(string path)
    {
        var full = Path.GetFullPath(path);
        var diagnostics = new ConfigDiagnostics(Path.GetDirectoryName(full)!);
        var scope = new EntryScope(diagnostics, full, "");
        var draft = new Draft(null, null, false, false, 24 * 3600, CertKeyType.Ec256, null);
        var main = new KeyTable<Draft>()
            .NoEffect("runtime|worker|stat")
            .On("backend", (d, v, s) => Backend.Apply(d, YamlValue.Map(v), s.ForEntry("backend")))
            .On("listen", (d, v, _) => d with { Listen = SockAddrParser.FromYaml(v, 2999) });
        foreach (var doc in YamlFileReader.Read(full, diagnostics) ?? [])
        {
            if (doc is YamlMappingNode map) draft = main.Apply(draft, map, scope);
            else if (!YamlValue.IsNull(doc)) diagnostics.Error(full, EntryScope.Line(doc), "", "", "yaml doc root should be a map");
        }
        if (diagnostics.Errors.Count == 0)
        {
            if (draft.Cert is null) diagnostics.Error(full, 0, "backend", "ca_certificate", "no ca certificate set");
            if (draft.Key is null) diagnostics.Error(full, 0, "backend", "ca_private_key", "no ca private key set");
        }
        if (diagnostics.Errors.Count > 0) throw new ConfigException(diagnostics.Errors);
        var config = new CertGenConfig
        {
            CaCertificatePem = draft.Cert!,
            CaPrivateKeyPem = draft.Key!,
            NoAppendCaCert = draft.NoAppend,
            KeepSerial = draft.KeepSerial,
            MaxTtl = draft.MaxTtl,
            KeyType = draft.KeyType,
        };
        return (draft.Listen is { } l ? config with { Listen = l } : config, diagnostics.Warnings);
    }

    private static readonly KeyTable<Draft> Backend = new KeyTable<Draft>()
        .On("ca_certificate", (d, v, s) => d with { Cert = PemLoader.FromYaml(v, s) })
        .On("ca_private_key", (d, v, s) => d with { Key = PemLoader.FromYaml(v, s) })
        .On("no_append_ca_cert", (d, v, _) => d with { NoAppend = YamlValue.Bool(v) })
        .On("keep_serial", (d, v, _) => d with { KeepSerial = YamlValue.Bool(v) })
        // g3fcgen: "at least for 5 minutes"
        .On("max_ttl", (d, v, _) => d with { MaxTtl = Math.Max((int)YamlValue.Integer(v, int.MinValue, int.MaxValue), CertGenConfig.MinMaxTtl) })
        .On("key_type", (d, v, _) => d with { KeyType = KeyType(v) })
        .NoEffect("duration_stats|duration_metrics");

    private static CertKeyType KeyType(YamlNode v) => YamlValue.String(v).ToLowerInvariant() switch
    {
        "ec256" or "p256" or "p-256" => CertKeyType.Ec256,
        "rsa2048" or "rsa" => CertKeyType.Rsa2048,
        var s => throw new ConfigValueException($"unknown key type '{s}' (ec256, rsa2048)", v),
    };
}
