using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>Reads every YAML document of a file, reporting syntax errors with their line.</summary>
internal static class YamlFileReader
{
    /// <summary>The documents' roots in order (index = g3's doc index); null when the file cannot be read.</summary>
    public static IReadOnlyList<YamlNode>? Read(string fullPath, ConfigDiagnostics diagnostics)
    {
        try
        {
            using var reader = new StreamReader(fullPath);
            var stream = new YamlStream();
            stream.Load(reader);
            return stream.Documents.Select(d => d.RootNode).ToList();
        }
        catch (YamlException e)
        {
            var msg = e.InnerException is { } inner && !e.Message.Contains(inner.Message) ? $"{e.Message} {inner.Message}" : e.Message;
            diagnostics.Error(fullPath, (int)e.Start.Line, "", "", $"invalid YAML: {msg}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(fullPath, 0, "", "", $"cannot read file: {e.Message}");
        }
        return null;
    }
}
