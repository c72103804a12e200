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
        {
            if (!string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var part in f.Value.Split(','))
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>
    /// Drops the hop-by-hop fields of RFC 9110 section 7.6.1: Connection and every field it names,
    /// plus the ones a proxy must never pass on. Transfer-Encoding is framing and handled by the caller.
    /// </summary>
    public void RemoveHopByHop(bool keepUpgrade)
    {
        if (Contains("Connection"))
        {
            var named = new List<string>();
            foreach (var v in GetAll("Connection"))
                foreach (var part in v.Split(','))
                {
                    var t = part.Trim();
                    if (t.Length > 0 && !(keepUpgrade && t.Equals("upgrade", StringComparison.OrdinalIgnoreCase))) named.Add(t);
                }
            foreach (var n in named)
                if (!n.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)) Remove(n);
            Remove("Connection");
        }
        Remove("Keep-Alive");
        Remove("Proxy-Connection");
        Remove("Proxy-Authenticate");
        Remove("Proxy-Authorization");
        Remove("TE");
        if (!keepUpgrade) Remove("Upgrade");
    }
}
