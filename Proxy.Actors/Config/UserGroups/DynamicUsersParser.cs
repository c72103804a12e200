using Proxy.Actors.Config.Loading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>
/// Dynamic users as a source returns them (g3's parse_json_many / parse_yaml_many): a list of user maps,
/// or (YAML) documents that are each a user or a list of users. JSON is read by the YAML reader, so one
/// user schema serves both and every error names the line. All or nothing: one bad user refuses the set.
/// </summary>
internal static class DynamicUsersParser
{
    public sealed record Result(IReadOnlyList<UserConfig> Users, IReadOnlyList<ConfigError> Errors)
    {
        public bool Ok => Errors.Count == 0;
        public string ErrorText => string.Join("; ", Errors.Select(e => e.ToString()));
    }

    /// <param name="origin">A path (or a label such as <c>published</c>) that error messages name.</param>
    public static Result Parse(string contents, string origin, string group)
    {
        var diagnostics = new ConfigDiagnostics(Path.GetDirectoryName(Path.GetFullPath(origin)) ?? ".");
        var scope = new EntryScope(diagnostics, Path.GetFullPath(origin), $"user_group '{group}'");
        var users = new List<UserConfig>();
        if (string.IsNullOrWhiteSpace(contents)) return new Result(users, []);
        List<YamlNode> docs;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(contents));
            docs = stream.Documents.Select(d => d.RootNode).ToList();
        }
        catch (YamlException e)
        {
            diagnostics.Error(scope.FullPath, (int)e.Start.Line, scope.Entry, "", $"invalid users document: {e.Message}");
            return new Result([], diagnostics.Errors);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var shared = new SharedUserRules();
        foreach (var doc in docs)
        {
            var items = doc switch
            {
                YamlSequenceNode seq => seq.Children.ToList(),
                YamlMappingNode map => [map],
                _ when YamlValue.IsNull(doc) => [],
                _ => null,
            };
            if (items is null)
            {
                scope.Error(doc, "", $"expected a list of users, got {YamlValue.Describe(doc)}");
                continue;
            }
            foreach (var item in items)
            {
                if (UserParser.Parse(item, scope, scope.Entry) is not { } parsed) continue;
                var user = shared.Share(parsed);
                // as g3's map insert: a later entry of the same name replaces the earlier one
                if (!names.Add(user.Name)) users.RemoveAll(u => u.Name == user.Name);
                users.Add(user);
            }
        }
        return new Result(users, diagnostics.Errors);
    }
}
