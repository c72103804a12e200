using System.Net;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// g3's host matched object: values looked up by the host a client named — an exact host (domain
/// or IP), the longest parent domain given as <c>child_match</c>, then the default.
/// </summary>
public sealed class HostMatch<T> where T : class
{
    private readonly Dictionary<string, T> _exact;
    private readonly (string Suffix, T Value)[] _children;

    public HostMatch(IReadOnlyDictionary<string, T> exact, IEnumerable<(string Parent, T Value)> children, T? fallback)
    {
        _exact = new Dictionary<string, T>(exact, StringComparer.OrdinalIgnoreCase);
        // Longest parent first, so a.b.example.org prefers b.example.org over example.org.
        _children = children.Select(c => ("." + c.Parent.Trim('.'), c.Value)).OrderByDescending(c => c.Item1.Length).ToArray();
        Default = fallback;
    }

    public T? Default { get; }
    public IEnumerable<T> Values => _exact.Values.Concat(_children.Select(c => c.Value)).Concat(Default is null ? [] : [Default]).Distinct();

    /// <summary>The value for <paramref name="host"/> (a name or an IP, brackets allowed), or null.</summary>
    public T? Get(string host)
    {
        host = host.TrimEnd('.');
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) host = ip.ToString();
        if (_exact.TryGetValue(host, out var v)) return v;
        foreach (var (suffix, value) in _children)
            if (host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return value;
        return Default;
    }
}
