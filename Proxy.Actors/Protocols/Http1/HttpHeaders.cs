namespace Proxy.Actors.Protocols.Http1;

/// <summary>Header fields in arrival order; names compared case-insensitively, values kept as sent.</summary>
public sealed class HttpHeaders
{
    private readonly List<KeyValuePair<string, string>> _fields = new(16);

    public int Count => _fields.Count;
    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    public void Add(string name, string value) => _fields.Add(new(name, value));

    public string? Get(string name)
    {
        foreach (var f in _fields)
            if (string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)) return f.Value;
        return null;
    }

    public int CountOf(string name)
    {
        var n = 0;
        foreach (var f in _fields)
            if (string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)) n++;
        return n;
    }

    public IEnumerable<string> GetAll(string name)
    {
        foreach (var f in _fields)
            if (string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)) yield return f.Value;
    }

    public bool Contains(string name) => Get(name) is not null;

    public void Remove(string name)
    {
        for (var i = _fields.Count - 1; i >= 0; i--)
            if (string.Equals(_fields[i].Key, name, StringComparison.OrdinalIgnoreCase)) _fields.RemoveAt(i);
    }

    public void Set(string name, string value)
    {
        Remove(name);
        Add(name, value);
    }

    /// <summary>True when a comma-separated header (Connection, Transfer-Encoding...) lists <paramref name="token"/>.</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var f in _fields)
            if (string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase) && ListHas(f.Value, token)) return true;
        return false;
    }

    // Span-split: asked several times per request, so no Split arrays.
    private static bool ListHas(ReadOnlySpan<char> list, string token)
    {
        foreach (var part in list.Split(','))
            if (list[part].Trim().Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// Drops the hop-by-hop fields of RFC 9110 section 7.6.1: Connection and every field it names,
    /// plus the ones a proxy must never pass on. Transfer-Encoding is framing and handled by the caller.
    /// One pass over the fields; a list of named fields only when a Connection field names any.
    /// </summary>
    public void RemoveHopByHop(bool keepUpgrade)
    {
        var named = ConnectionNamed(keepUpgrade);
        var kept = 0;
        for (var i = 0; i < _fields.Count; i++)
        {
            var f = _fields[i];
            if (IsHopByHop(f.Key, keepUpgrade, named)) continue;
            _fields[kept++] = f;
        }
        if (kept < _fields.Count) _fields.RemoveRange(kept, _fields.Count - kept);
    }

    /// <summary>
    /// The field names this head's Connection fields list (what <see cref="RemoveHopByHop"/> drops
    /// besides the fixed hop-by-hop set); null when they name none.
    /// </summary>
    public List<string>? ConnectionNamed(bool keepUpgrade)
    {
        List<string>? named = null;
        foreach (var f in _fields)
        {
            if (!string.Equals(f.Key, "Connection", StringComparison.OrdinalIgnoreCase)) continue;
            var list = f.Value.AsSpan();
            foreach (var part in list.Split(','))
            {
                var t = list[part].Trim();
                if (t.Length == 0 || (keepUpgrade && t.Equals("upgrade", StringComparison.OrdinalIgnoreCase))
                    || t.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)) continue;
                (named ??= []).Add(t.ToString());
            }
        }
        return named;
    }

    /// <summary>
    /// Whether <see cref="RemoveHopByHop"/> drops a field of this name, given what
    /// <see cref="ConnectionNamed"/> returned: a head can be written without the hop-by-hop fields
    /// and without changing the parsed set.
    /// </summary>
    public static bool IsHopByHop(string name, bool keepUpgrade, List<string>? named) =>
        IsHopByHop(name, keepUpgrade) || (named is not null && Names(named, name));

    private static bool IsHopByHop(string name, bool keepUpgrade) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authenticate", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("TE", StringComparison.OrdinalIgnoreCase)
        || (!keepUpgrade && name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase));

    private static bool Names(List<string> named, string name)
    {
        foreach (var n in named)
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
