namespace Proxy.Actors.Config.Acl;

/// <summary>
/// g3's <c>http_user_agent_filter</c>: records are product tokens (<c>curl</c>, <c>Wget</c>) matched
/// case-insensitively as a whole token of the User-Agent value (preceded by start, ' ' or ';', followed by
/// end, '/', ' ' or ';'). A listed token defaults to forbid, a miss to permit.
/// </summary>
public sealed record UserAgentAclRule(IReadOnlyList<(string Name, AclAction Action)> Names, AclAction Default)
{
    public AclAction Check(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent)) return Default;
        foreach (var (name, action) in Names)
            if (ContainsToken(userAgent, name)) return action;
        return Default;
    }

    private static bool ContainsToken(string value, string name)
    {
        var from = 0;
        while (from <= value.Length - name.Length)
        {
            var pos = value.IndexOf(name, from, StringComparison.OrdinalIgnoreCase);
            if (pos < 0) return false;
            var end = pos + name.Length;
            var startOk = pos == 0 || value[pos - 1] is ' ' or ';';
            var endOk = end == value.Length || value[end] is '/' or ' ' or ';';
            if (startOk && endOk) return true;
            from = pos + 1;
        }
        return false;
    }
}
