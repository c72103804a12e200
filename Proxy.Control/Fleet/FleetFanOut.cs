using Akka.Actor;
using Akka.Cluster;
using Proxy.Control.Host;

namespace Proxy.Control.Fleet;

/// <summary>
/// <c>--cluster</c> anywhere among the words: the words (without the flag) go to every Up member's
/// <see cref="FleetMemberActor"/>, this node's included, by actor selection on the member's address;
/// each answer is printed with the member's address before it. The command fails, naming them, when
/// a member answers an error, is unreachable or does not answer within the limit.
/// </summary>
internal static class FleetFanOut
{
    public const string Flag = "--cluster";

    public static async Task<ControlReply> RunAsync(IReadOnlyList<string> words, ControlCluster cluster)
    {
        var command = words.Where(w => w != Flag).ToArray();
        if (command.Length == 0) return ControlReply.Fail("--cluster needs a command");
        if (cluster.Current is not { } attached) return ControlReply.Fail("the cluster is not started on this node");
        var self = attached.Cluster.SelfMember;
        var state = attached.Cluster.State;
        if (!state.Members.Any(m => m.UniqueAddress.Equals(self.UniqueAddress)))
            return ControlReply.Fail("this node is not a cluster member (not joined yet, or removed): --cluster cannot reach the others");

        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => MemberAddress.Show(m.Address), StringComparer.Ordinal).ToList();
        var asks = members.Select(m => unreachable.Contains(m.Address)
            ? Task.FromResult(new FleetReply([], null, "unreachable, not asked"))
            : AskAsync(attached.System, m.Address, command, cluster.FanOutTimeout));
        var replies = await Task.WhenAll(asks).ConfigureAwait(false);

        var lines = new List<string>();
        var failed = new List<string>();
        for (var i = 0; i < members.Count; i++)
        {
            var prefix = MemberAddress.Show(members[i].Address) + ": ";
            var r = replies[i];
            lines.AddRange(r.Lines.Select(l => prefix + l));
            if (r.Error is not null)
            {
                lines.Add(prefix + "error: " + r.Error);
                failed.Add($"{MemberAddress.Show(members[i].Address)} ({r.Error})");
            }
            else
            {
                lines.Add(prefix + "notice: " + (r.Notice ?? "done"));
            }
        }
        return failed.Count == 0
            ? new ControlReply(lines, Notice: $"{members.Count} member(s) answered")
            : new ControlReply(lines, Error: $"{failed.Count} of {members.Count} member(s) failed: {string.Join("; ", failed)}");
    }

    private static async Task<FleetReply> AskAsync(ActorSystem system, Address member, string[] command, TimeSpan limit)
    {
        var path = new RootActorPath(member) / "user" / FleetMemberActor.Name;
        try
        {
            return await system.ActorSelection(path).Ask<FleetReply>(new FleetRequest(command), limit).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new FleetReply([], null, $"no answer within {limit.TotalSeconds:0.#}s");
        }
    }
}
