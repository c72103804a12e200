using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>
/// g3's "hybrid map" for module keys: an inline list whose items are maps or paths, or a single path.
/// A path is a file (each YAML document one object) or a directory (its regular files with the main
/// file's extension, or all of them when the main file has none; not recursive).
/// </summary>
internal sealed class ModuleSourceReader(ConfigDiagnostics diagnostics, string mainExtension)
{
    public IReadOnlyList<ModuleEntry> Read(string family, YamlNode value, EntryScope scope)
    {
        var entries = new List<ModuleEntry>();
        switch (value)
        {
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    if (item is YamlMappingNode map)
                        entries.Add(new ModuleEntry(map, scope.FullPath, new ConfigPosition(scope.FullPath, EntryScope.Line(map))));
                    else if (item is YamlScalarNode && !YamlValue.IsNull(item))
                        ReadPath(family, (YamlScalarNode)item, scope, entries);
                    else
                        scope.Error(item, family, $"key '{family}': expected a map or a path, got {YamlValue.Describe(item)}");
                }
                break;
            case YamlScalarNode s when !YamlValue.IsNull(s):
                ReadPath(family, s, scope, entries);
                break;
            case YamlScalarNode:
                break; // `server:` with nothing: no objects
            default:
                scope.Error(value, family, $"key '{family}': expected a list or a path, got {YamlValue.Describe(value)}");
                break;
        }
        return entries;
    }

    private void ReadPath(string family, YamlScalarNode pathNode, EntryScope scope, List<ModuleEntry> entries)
    {
        var path = scope.ResolvePath(pathNode.Value!);
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path)
                .Where(f => mainExtension.Length == 0 || Path.GetExtension(f) == mainExtension)
                .Order(StringComparer.Ordinal);
            foreach (var file in files) ReadFile(file, entries);
        }
        else if (File.Exists(path))
        {
            ReadFile(path, entries);
        }
        else
        {
            scope.Error(pathNode, family, $"key '{family}': path '{pathNode.Value}' does not exist");
        }
    }

    private void ReadFile(string fullPath, List<ModuleEntry> entries)
    {
        var docs = YamlFileReader.Read(fullPath, diagnostics);
        if (docs is null) return;
        for (var i = 0; i < docs.Count; i++)
        {
            switch (docs[i])
            {
                case YamlMappingNode map:
                    entries.Add(new ModuleEntry(map, fullPath, new ConfigPosition(fullPath, EntryScope.Line(map), i)));
                    break;
                case var n when YamlValue.IsNull(n):
                    break; // an empty document (e.g. a trailing '---')
                default:
                    diagnostics.Error(fullPath, EntryScope.Line(docs[i]), "", "", $"document #{i}: expected a map, got {YamlValue.Describe(docs[i])}");
                    break;
            }
        }
    }
}
