using Akka.Cluster;
using Proxy.Control.Fleet;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary>
/// <c>cluster show</c> (members as this node sees them), <c>cluster relays</c> (the live relays this
/// node would route to), <c>cluster leave ADDRESS</c> and
/// <c>cluster down ADDRESS</c> (Akka's graceful leave and down, for any member, from any member).
/// </summary>
internal static class ClusterWords
{
    private const string RegionRole = "region-";

    public static ControlReply Show(ControlCluster cluster)
    {
        if (cluster.Current is not { } attached) return ControlReply.Fail("the cluster is not started on this node");
        var c = attached.Cluster;
        var self = MemberAddress.Show(c.SelfAddress);
        var state = c.State;
        var joined = state.Members.Any(m => m.UniqueAddress.Equals(c.SelfUniqueAddress));
        var lines = new List<string>();
        if (c.IsTerminated)
            lines.Add($"this node: {self} was removed from the cluster (downed or left); its servers keep running, restart it to rejoin");
        else if (!joined)
            lines.Add($"this node: {self} not joined yet: seeds {Seeds(c)} do not answer; local servers keep serving");
        else
            lines.Add($"this node: {self} {c.SelfMember.Status}, region {Region(c.SelfMember.Roles) ?? "-"}");
        if (joined)
        {
            var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
            var rows = state.Members.OrderBy(m => MemberAddress.Show(m.Address), StringComparer.Ordinal)
                .Select(m => new[]
                {
                    MemberAddress.Show(m.Address), Region(m.Roles) ?? "-", Roles(m.Roles), m.Status.ToString(),
                    unreachable.Contains(m.UniqueAddress) ? "unreachable" : "reachable",
                })
                .Prepend(["address", "region", "roles", "status", "reachability"])
                .ToList();
            lines.AddRange(Table(rows));
        }
        return new ControlReply(lines, Notice: $"{(joined ? state.Members.Count : 0)} member(s)");
    }

    /// <summary>The live relays of every region this node knows (members' regions), from the local snapshot route_region reads.</summary>
    public static ControlReply Relays(ControlCluster cluster)
    {
        if (cluster.Current is not { } attached) return ControlReply.Fail("the cluster is not started on this node");
        var regions = attached.Cluster.State.Members.Select(m => Region(m.Roles)).OfType<string>().Distinct().Order(StringComparer.Ordinal);
        var relays = regions.SelectMany(r => attached.Services.Relays.LiveRelays(r)).ToList();
        if (relays.Count == 0) return ControlReply.Done("no live relay");
        var rows = relays.Select(r => new[] { r.Region, r.Address, r.TlsName, r.Load.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Server, MemberOf(r.Member) })
            .Prepend(["region", "address", "tls_name", "load", "server", "member"]).ToList();
        return new ControlReply(Table(rows).ToList(), Notice: $"{relays.Count} live relay(s)");
    }

    private static string MemberOf(string member)
    {
        try
        {
            return MemberAddress.Show(Akka.Actor.Address.Parse(member));
        }
        catch (UriFormatException)
        {
            return member;
        }
    }

    public static ControlReply Leave(string address, ControlCluster cluster) =>
        OnMember(address, cluster, (c, a) =>
        {
            c.Leave(a);
            return $"{MemberAddress.Show(a)} is leaving the cluster";
        });

    public static ControlReply Down(string address, ControlCluster cluster) =>
        OnMember(address, cluster, (c, a) =>
        {
            c.Down(a);
            return $"{MemberAddress.Show(a)} is downed";
        });

    private static ControlReply OnMember(string address, ControlCluster cluster, Func<Cluster, Akka.Actor.Address, string> act)
    {
        if (cluster.Current is not { } attached) return ControlReply.Fail("the cluster is not started on this node");
        var c = attached.Cluster;
        var (member, error) = MemberAddress.Find(address, c.State.Members.Select(m => m.Address));
        return member is null ? ControlReply.Fail(error!) : ControlReply.Done(act(c, member));
    }

    private static string Seeds(Cluster c) =>
        c.Settings.SeedNodes.Count == 0 ? "(none)" : string.Join(", ", c.Settings.SeedNodes.Select(MemberAddress.Show));

    private static string? Region(IEnumerable<string> roles) =>
        roles.FirstOrDefault(r => r.StartsWith(RegionRole, StringComparison.Ordinal))?[RegionRole.Length..];

    /// <summary>The roles main.yml gave; the region role has its own column, Akka's <c>dc-</c> role is noise here.</summary>
    private static string Roles(IEnumerable<string> roles)
    {
        var own = roles.Where(r => !r.StartsWith(RegionRole, StringComparison.Ordinal) && !r.StartsWith("dc-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        return own.Count == 0 ? "-" : string.Join(",", own);
    }

    /// <summary>Columns padded to their widest cell, two spaces apart.</summary>
    internal static IEnumerable<string> Table(IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return rows.Select(r => string.Join("  ", r.Select((cell, i) => i == r.Length - 1 ? cell : cell.PadRight(widths[i]))));
    }
}
