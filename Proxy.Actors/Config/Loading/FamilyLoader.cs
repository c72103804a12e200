using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

/// <summary>The objects of one family, and every name seen (unbuilt types included, so references to them do not dangle).</summary>
internal sealed record FamilyResult<T>(IReadOnlyList<T> Items, IReadOnlySet<string> Names);

internal delegate T? EntryParser<T>(KnownType type, string name, YamlMappingNode map, ConfigPosition position, EntryScope scope);

/// <summary>A family whose entries have no <c>type</c> key (g3's auditors).</summary>
internal delegate T? NamedEntryParser<T>(string name, YamlMappingNode map, ConfigPosition position, EntryScope scope);

/// <summary>
/// Loads one module family: reads name and type first (so every later message names the entry),
/// refuses missing, unknown, unbuilt and duplicate ones, and hands the rest to the family's parser.
/// </summary>
internal sealed class FamilyLoader(ConfigDiagnostics diagnostics, ModuleSourceReader sources)
{
    /// <param name="defaultType">The type of an entry without <c>type</c> (g3's user groups default to basic); null = required.</param>
    public FamilyResult<T> Load<T>(ConfigFamily family, string familyKey, YamlNode value, EntryScope mainScope, EntryParser<T> parse,
        string? defaultType = null)
        where T : class
    {
        var items = new List<T>();
        var names = new Dictionary<string, ConfigPosition>(StringComparer.Ordinal);
        foreach (var entry in sources.Read(familyKey, value, mainScope))
        {
            var item = LoadOne(family, familyKey, entry, names, parse, defaultType);
            if (item is not null) items.Add(item);
        }
        return new FamilyResult<T>(items, names.Keys.ToHashSet(StringComparer.Ordinal));
    }

    public FamilyResult<T> LoadNamed<T>(string familyKey, YamlNode value, EntryScope mainScope, NamedEntryParser<T> parse)
        where T : class
    {
        var items = new List<T>();
        var names = new Dictionary<string, ConfigPosition>(StringComparer.Ordinal);
        foreach (var entry in sources.Read(familyKey, value, mainScope))
        {
            var (name, scope, _) = ReadName(familyKey, entry, names);
            if (name is not null && parse(name, entry.Map, entry.Position, scope) is { } item) items.Add(item);
        }
        return new FamilyResult<T>(items, names.Keys.ToHashSet(StringComparer.Ordinal));
    }

    private T? LoadOne<T>(ConfigFamily family, string familyKey, ModuleEntry entry, Dictionary<string, ConfigPosition> names, EntryParser<T> parse,
        string? defaultType)
        where T : class
    {
        var (name, scope, duplicate) = ReadName(familyKey, entry, names);
        if (duplicate) return null;
        YamlNode? typeNode = null;
        foreach (var (k, v) in entry.Map.Children)
            if (k is YamlScalarNode { Value: { } raw } && YamlKey.Normalize(raw) == "type") typeNode = v;

        if (typeNode is null && defaultType is not null) typeNode = new YamlScalarNode(defaultType);
        if (typeNode is null)
        {
            scope.Error(entry.Map, "type", "missing required key 'type'");
            return null;
        }
        if (typeNode is not YamlScalarNode { Value: { Length: > 0 } typeName } || YamlValue.IsNull(typeNode))
        {
            scope.Error(typeNode, "type", $"key 'type': expected a type name, got {YamlValue.Describe(typeNode)}");
            return null;
        }
        var type = TypeCatalog.Find(family, typeName);
        if (type is null)
        {
            var known = string.Join(", ", TypeCatalog.Types(family).Select(t => t.Canonical));
            scope.Error(typeNode, "type", $"unknown {familyKey} type '{typeName}' (g3 knows: {known})");
            return null;
        }
        if (!type.Built)
        {
            scope.Error(typeNode, "type", $"not supported yet: type '{type.Canonical}'" + (type.Why is null ? "" : $" ({type.Why})"));
            return null;
        }
        return name is null ? null : parse(type, name, entry.Map, entry.Position, scope);
    }

    /// <summary>Reads and checks <c>name</c> first, so every later message names the entry; null when missing, bad or a duplicate.</summary>
    private (string? Name, EntryScope Scope, bool Duplicate) ReadName(string familyKey, ModuleEntry entry, Dictionary<string, ConfigPosition> names)
    {
        var scope = new EntryScope(diagnostics, entry.FullPath, $"{familyKey} (unnamed)");
        YamlNode? nameNode = null;
        foreach (var (k, v) in entry.Map.Children)
            if (k is YamlScalarNode { Value: { } raw } && YamlKey.Normalize(raw) == "name") nameNode = v;

        string? name = null;
        if (nameNode is null) scope.Error(entry.Map, "name", "missing required key 'name'");
        else if (nameNode is not YamlScalarNode { Value: { Length: > 0 } n } || YamlValue.IsNull(nameNode))
            scope.Error(nameNode, "name", $"key 'name': expected a name, got {YamlValue.Describe(nameNode)}");
        else if (!IsMetricsName(n))
            scope.Error(nameNode, "name", $"key 'name': '{n}' is not a valid name (letters, digits, '-', '_', '.', '/')");
        else name = n;

        if (name is null) return (null, scope, false);
        scope = scope.ForEntry($"{familyKey} '{name}'");
        if (names.TryGetValue(name, out var first))
        {
            scope.Error(nameNode!, "name",
                $"duplicate {familyKey} name '{name}' (also at {diagnostics.Display(first.File)}:{first.Line}, here at {diagnostics.Display(entry.FullPath)}:{entry.Position.Line})");
            return (null, scope, true);
        }
        names[name] = entry.Position;
        return (name, scope, false);
    }

    /// <summary>g3 names are metrics node names: letters (unicode too), digits, '-', '_', '.', '/'.</summary>
    private static bool IsMetricsName(string name) =>
        name.All(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' or '/');
}
