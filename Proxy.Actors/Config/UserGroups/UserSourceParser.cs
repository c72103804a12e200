using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>A group's <c>source</c>: a map with <c>type</c> (file, lua, python) or a <c>file://</c> URL.</summary>
internal static class UserSourceParser
{
    private static readonly TimeSpan DefaultFetchTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultReportTimeout = TimeSpan.FromSeconds(15);

    public static UserSourceConfig FromYaml(YamlNode node, EntryScope scope)
    {
        if (node is YamlScalarNode && !YamlValue.IsNull(node)) return FromUrl(node);
        var map = node as YamlMappingNode ?? throw YamlValue.Expected("a source map or a file:// URL", node);
        string? type = null;
        foreach (var (key, _, value) in YamlValue.Entries(map))
            if (key == "type") type = YamlKey.Normalize(YamlValue.String(value, "a source type"));
        return type switch
        {
            "file" => File(map, scope),
            "lua" => Lua(map, scope),
            "python" => Python(map, scope),
            null => throw new ConfigValueException("missing key 'type' (file, lua, python)", map),
            _ => throw new ConfigValueException($"unsupported source type '{type}' (file, lua, python)", map),
        };
    }

    private static FileUserSourceConfig FromUrl(YamlNode node)
    {
        var text = YamlValue.String(node);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != "file")
            throw new ConfigValueException($"unsupported source url '{text}' (only file:///path)", node);
        var path = Uri.UnescapeDataString(url.AbsolutePath);
        var format = FormatOf(path);
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var (k, v) = eq < 0 ? (pair, "") : (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..]));
            format = YamlKey.Normalize(k) switch
            {
                "format" => Format(v, node),
                "type" or "path" => format,
                _ => throw new ConfigValueException($"unknown query parameter '{k}'", node),
            };
        }
        return new FileUserSourceConfig(path, format);
    }

    private static FileUserSourceConfig File(YamlMappingNode map, EntryScope scope)
    {
        string? path = null;
        UserFileFormat? format = null;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "type": break;
                case "path": path = scope.ResolvePath(YamlValue.String(value, "a file path")); break;
                case "format": format = Format(YamlValue.String(value), value); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        if (path is null) throw new ConfigValueException("missing key 'path'", map);
        return new FileUserSourceConfig(path, format ?? FormatOf(path));
    }

    private static LuaUserSourceConfig Lua(YamlMappingNode map, EntryScope scope)
    {
        string? fetch = null, report = null;
        TimeSpan fetchTimeout = DefaultFetchTimeout, reportTimeout = DefaultReportTimeout;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "type": break;
                case "fetch_script" or "script": fetch = scope.ResolvePath(YamlValue.String(value, "a file path")); break;
                case "fetch_timeout" or "timeout": fetchTimeout = HumanDuration.FromYaml(value); break;
                case "report_script": report = scope.ResolvePath(YamlValue.String(value, "a file path")); break;
                case "report_timeout": reportTimeout = HumanDuration.FromYaml(value); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        return new LuaUserSourceConfig(fetch ?? throw new ConfigValueException("no fetch script is set", map), fetchTimeout, report, reportTimeout);
    }

    private static PythonUserSourceConfig Python(YamlMappingNode map, EntryScope scope)
    {
        string? script = null;
        TimeSpan fetchTimeout = DefaultFetchTimeout, reportTimeout = DefaultReportTimeout;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "type": break;
                case "script": script = scope.ResolvePath(YamlValue.String(value, "a file path")); break;
                case "fetch_timeout": fetchTimeout = HumanDuration.FromYaml(value); break;
                case "report_timeout": reportTimeout = HumanDuration.FromYaml(value); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        return new PythonUserSourceConfig(script ?? throw new ConfigValueException("no script is set", map), fetchTimeout, reportTimeout);
    }

    private static UserFileFormat FormatOf(string path) =>
        Path.GetExtension(path).ToLowerInvariant() == ".json" ? UserFileFormat.Json : UserFileFormat.Yaml;

    private static UserFileFormat Format(string text, YamlNode at) =>
        text.ToLowerInvariant() switch
        {
            "yaml" or "yml" => UserFileFormat.Yaml,
            "json" => UserFileFormat.Json,
            _ => throw new ConfigValueException($"invalid format '{text}' (yaml, json)", at),
        };
}
