using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>
/// Where parsing currently is: the file, and the entry (<c>server 'http'</c>, or empty for main-file
/// sections). Every error and warning goes through here so each names file, line, entry and key.
/// </summary>
internal sealed class EntryScope(ConfigDiagnostics diagnostics, string fullPath, string entry)
{
    public string FullPath { get; } = fullPath;
    public string Entry { get; } = entry;

    /// <summary>Relative paths in a file resolve against the directory of that file, as in g3.</summary>
    public string BaseDir => Path.GetDirectoryName(FullPath) ?? ".";

    public void Error(YamlNode at, string key, string message) =>
        diagnostics.Error(FullPath, Line(at), Entry, key, message);

    public void Warn(YamlNode at, string key, string message) =>
        diagnostics.Warn(FullPath, Line(at), Entry, key, message);

    public void NoEffect(YamlNode at, string key) => Warn(at, key, $"key '{key}' has no effect in G3Actors");

    /// <summary>Errors so far in the whole load: a parser compares it to know whether its entry was refused.</summary>
    public int ErrorCount => diagnostics.Errors.Count;

    public EntryScope ForEntry(string entry) => new(diagnostics, FullPath, entry);

    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(BaseDir, path));

    public static int Line(YamlNode node) => (int)node.Start.Line;
}
