using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers;

/// <summary>A next proxy named for one task (by username_params), with the key that picks among its resolved addresses.</summary>
public sealed record EgressUpstream(UpstreamAddr Addr, string ResolveStickyKey);

/// <summary>
/// g3's egress path selection (reference section 4.9): what the server or the user chose for named
/// escapers of one task. Each escaper reads only its own entry and only the kinds it understands; a
/// selection for an escaper the task never reaches does nothing.
/// </summary>
public sealed class EgressPathSelection
{
    private Dictionary<string, int>? _numbers;
    private Dictionary<string, string>? _strings;
    private Dictionary<string, EgressUpstream>? _upstreams;
    private Dictionary<string, string>? _json;

    public bool IsEmpty => _numbers is null && _strings is null && _upstreams is null && _json is null;

    /// <summary>A user's egress_path_id_map and egress_path_value_map as a selection; null when both are empty.</summary>
    public static EgressPathSelection? FromUser(IReadOnlyDictionary<string, string> ids, IReadOnlyDictionary<string, string> values)
    {
        if (ids.Count == 0 && values.Count == 0) return null;
        var path = new EgressPathSelection();
        foreach (var (escaper, id) in ids) path.SetStringId(escaper, id);
        foreach (var (escaper, json) in values) path.SetJsonValue(escaper, json);
        return path;
    }

    /// <summary>A 1-based index (<c>egress_path_selection_header</c>); 0 means the last.</summary>
    public void SetNumberId(string escaper, int id) => (_numbers ??= new(StringComparer.Ordinal))[escaper] = id;

    public void SetStringId(string escaper, string id) => (_strings ??= new(StringComparer.Ordinal))[escaper] = id;

    public void SetUpstream(string escaper, EgressUpstream upstream) => (_upstreams ??= new(StringComparer.Ordinal))[escaper] = upstream;

    /// <summary>A JSON value (its text, checked at load) that the escaper parses itself: a peer, a bind ip.</summary>
    public void SetJsonValue(string escaper, string json) => (_json ??= new(StringComparer.Ordinal))[escaper] = json;

    /// <summary>The chosen index in <c>0..count-1</c>, as g3 maps it (0 = last, larger ids wrap), or null.</summary>
    public int? SelectNumberId(string escaper, int count)
    {
        if (count <= 0 || _numbers is null || !_numbers.TryGetValue(escaper, out var id)) return null;
        return id == 0 ? count - 1 : id <= count ? id - 1 : (id - 1) % count;
    }

    public string? SelectStringId(string escaper) => _strings?.GetValueOrDefault(escaper);

    public EgressUpstream? SelectUpstream(string escaper) => _upstreams?.GetValueOrDefault(escaper);

    public string? SelectJsonValue(string escaper) => _json?.GetValueOrDefault(escaper);

    /// <summary>For the task log: <c>escaper:kind=value</c>, comma-separated.</summary>
    public override string ToString() => string.Join(",",
        (_numbers ?? []).Select(p => $"{p.Key}:number={p.Value}")
            .Concat((_strings ?? []).Select(p => $"{p.Key}:string={p.Value}"))
            .Concat((_upstreams ?? []).Select(p => $"{p.Key}:upstream={p.Value.Addr}"))
            .Concat((_json ?? []).Select(p => $"{p.Key}:json={p.Value}")));
}
