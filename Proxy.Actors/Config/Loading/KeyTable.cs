using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Loading;

internal delegate T KeyHandler<T>(T current, YamlNode value, EntryScope scope, string key, YamlNode keyNode);

/// <summary>
/// The keys one kind of entry accepts, each mapped, warned or refused, so no key is ever ignored
/// silently. <see cref="Apply"/> folds a YAML map into an immutable record, collecting one error per bad key.
/// </summary>
internal sealed class KeyTable<T>
{
    private readonly Dictionary<string, KeyHandler<T>> _handlers = new(StringComparer.Ordinal);

    /// <summary>Registers a handler for a key and its aliases, written <c>"a|b|c"</c>.</summary>
    public KeyTable<T> On(string keys, Func<T, YamlNode, EntryScope, T> handler) =>
        On(keys, (c, v, s, _, _) => handler(c, v, s));

    public KeyTable<T> On(string keys, KeyHandler<T> handler)
    {
        foreach (var k in keys.Split('|')) _handlers[k] = handler;
        return this;
    }

    /// <summary>Keys read elsewhere (name, type).</summary>
    public KeyTable<T> Skip(string keys) => On(keys, (c, _, _, _, _) => c);

    public KeyTable<T> NotSupported(string keys) =>
        On(keys, (_, _, _, key, _) => throw new NotSupportedYetException(key));

    /// <summary>g3 tuning keys with no .NET equivalent: accepted, with a warning.</summary>
    public KeyTable<T> NoEffect(string keys) =>
        On(keys, (c, _, s, key, keyNode) => { s.NoEffect(keyNode, key); return c; });

    /// <summary>A boolean whose false is the built default and whose true needs an unbuilt feature.</summary>
    public KeyTable<T> FalseOnly(string keys) =>
        On(keys, (c, v, _, key, _) => YamlValue.Bool(v) ? throw new NotSupportedYetException(key) : c);

    public bool Knows(string key) => _handlers.ContainsKey(key);

    public T Apply(T seed, YamlMappingNode map, EntryScope scope)
    {
        var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } raw })
            {
                scope.Error(keyNode, "", "map keys must be strings");
                continue;
            }
            var key = YamlKey.Normalize(raw);
            if (seen.TryGetValue(key, out var first))
            {
                scope.Error(keyNode, key, $"duplicate key '{raw}' (first at line {EntryScope.Line(first)})");
                continue;
            }
            seen[key] = keyNode;
            if (!_handlers.TryGetValue(key, out var handler))
            {
                scope.Error(keyNode, key, $"unknown key '{raw}'");
                continue;
            }
            try
            {
                seed = handler(seed, value, scope, key, keyNode);
            }
            catch (NotSupportedYetException e)
            {
                scope.Error(e.At ?? keyNode, key, e.Message);
            }
            catch (ConfigValueException e)
            {
                scope.Error(e.At ?? keyNode, key, $"key '{raw}': {e.Message}");
            }
        }
        return seed;
    }
}
