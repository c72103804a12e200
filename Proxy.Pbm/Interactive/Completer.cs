using Proxy.Control.Wire;

namespace Proxy.Pbm.Interactive;

/// <summary>
/// Tab completion from what the node sent on connect: each command's usage is a pattern of
/// literal words, <c>&lt;kind&gt;</c> placeholders (completed with the node's names of that kind,
/// any word accepted), <c>a|b</c> alternatives and optional <c>[...]</c> tails (not completed).
/// <c>--cluster</c> may stand anywhere among the words: the rest completes as without it.
/// </summary>
internal sealed class Completer
{
    private const string ClusterFlag = "--cluster";

    private readonly IReadOnlyList<string[]> _patterns;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _names;

    public Completer(IReadOnlyList<CommandPaletteInfo> palettes, IReadOnlyDictionary<string, IReadOnlyList<string>> names)
    {
        _patterns = palettes.SelectMany(p => p.Commands)
            .Select(c => c.Usage.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(t => !t.StartsWith('[')).ToArray())
            .Append(["exit"])
            .ToList();
        _names = names;
    }

    /// <summary>Words that can follow <paramref name="line"/>'s complete words and start with its last, partial one.</summary>
    public IReadOnlyList<string> Candidates(string line)
    {
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var partial = line.Length == 0 || line.EndsWith(' ') ? "" : tokens[^1];
        if (partial.Length > 0) tokens.RemoveAt(tokens.Count - 1);
        var fanOut = tokens.RemoveAll(t => t == ClusterFlag) > 0;
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pattern in _patterns)
        {
            if (pattern.Length <= tokens.Count || !Matches(pattern, tokens)) continue;
            foreach (var option in Options(pattern[tokens.Count]))
                if (option.StartsWith(partial, StringComparison.Ordinal)) result.Add(option);
        }
        if (fanOut) result.Remove(ClusterFlag);
        return result.ToList();
    }

    private static bool Matches(string[] pattern, List<string> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
            if (!IsPlaceholder(pattern[i]) && !pattern[i].Split('|').Contains(tokens[i])) return false;
        return true;
    }

    private IEnumerable<string> Options(string element) =>
        IsPlaceholder(element)
            ? _names.GetValueOrDefault(element[1..^1]) ?? (IEnumerable<string>)[]
            : element.Split('|');

    private static bool IsPlaceholder(string element) => element.StartsWith('<') && element.EndsWith('>');

    /// <summary>The longest prefix every candidate shares.</summary>
    public static string CommonPrefix(IReadOnlyList<string> candidates)
    {
        if (candidates.Count == 0) return "";
        var prefix = candidates[0];
        foreach (var c in candidates.Skip(1))
        {
            var n = 0;
            while (n < prefix.Length && n < c.Length && prefix[n] == c[n]) n++;
            prefix = prefix[..n];
        }
        return prefix;
    }
}
