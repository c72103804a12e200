using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// A certificate or key value: inline PEM, or a path relative to the file holding it (g3's lookup dir).
/// The text is read at load time so a bad path is a config error, not a runtime one.
/// </summary>
internal static class PemLoader
{
    public static string FromYaml(YamlNode node, EntryScope scope)
    {
        var parts = new List<string>();
        foreach (var item in YamlValue.List(node))
        {
            var text = YamlValue.String(item, "PEM text or a file path");
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                parts.Add(text);
                continue;
            }
            var path = scope.ResolvePath(text);
            string content;
            try { content = File.ReadAllText(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigValueException($"cannot read '{text}': {e.Message}", item);
            }
            if (!content.Contains("-----BEGIN", StringComparison.Ordinal))
                throw new ConfigValueException($"'{text}' holds no PEM block", item);
            parts.Add(content);
        }
        return parts.Count > 0 ? string.Join('\n', parts) : throw YamlValue.Expected("PEM text or a file path", node);
    }
}
