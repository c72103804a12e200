using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config;

/// <summary>
/// Loads a g3proxy configuration (docs/config.md). Every problem found is collected and thrown
/// together in one <see cref="ConfigException"/>; warnings come back in <see cref="ProxyConfig.Warnings"/>.
/// </summary>
public static class ConfigLoader
{
    /// <summary>g3's lookup order when <c>-c</c> names a directory.</summary>
    private static readonly string[] MainFileNames =
        ["main.yaml", "main.yml", "main.conf", "g3proxy.yaml", "g3proxy.yml", "g3proxy.conf"];

    public static ProxyConfig Load(string path)
    {
        var mainFile = FindMainFile(Path.GetFullPath(path));
        var diagnostics = new ConfigDiagnostics(Path.GetDirectoryName(mainFile)!);
        var docs = YamlFileReader.Read(mainFile, diagnostics);
        var config = new ProxyConfig { MainFile = mainFile };
        if (docs is not null && docs.Count > 0)
        {
            if (docs[0] is YamlMappingNode root)
                config = new MainFileParser(diagnostics, mainFile).Parse(root);
            else if (!YamlValue.IsNull(docs[0]))
                diagnostics.Error(mainFile, EntryScope.Line(docs[0]), "", "", $"expected a map of sections, got {YamlValue.Describe(docs[0])}");
            if (docs.Count > 1 && docs.Skip(1).Any(d => !YamlValue.IsNull(d)))
                diagnostics.Warn(mainFile, EntryScope.Line(docs[1]), "", "", "only the first YAML document of the main file is read");
        }
        if (diagnostics.Errors.Count > 0) throw new ConfigException(diagnostics.Errors);
        return config with { Warnings = diagnostics.Warnings };
    }

    private static string FindMainFile(string path)
    {
        if (File.Exists(path)) return path;
        if (Directory.Exists(path))
        {
            foreach (var name in MainFileNames)
            {
                var candidate = Path.Combine(path, name);
                if (File.Exists(candidate)) return candidate;
            }
            throw new ConfigException(new ConfigError(path, 0, "", "",
                $"no main config file in directory (looked for {string.Join(", ", MainFileNames)})"));
        }
        throw new ConfigException(new ConfigError(path, 0, "", "", "config file not found"));
    }
}
