namespace Proxy.Actors.Config.Acl;

public sealed record PortAclEntry(int From, int To, AclAction Action);

/// <summary>g3's <c>dst_port_filter</c>: exact ports or ranges, first match wins.</summary>
public sealed record PortAclRule(IReadOnlyList<PortAclEntry> Entries, AclAction Default)
{
    public AclAction Check(int port)
    {
        foreach (var e in Entries)
            if (port >= e.From && port <= e.To) return e.Action;
        return Default;
    }
}
