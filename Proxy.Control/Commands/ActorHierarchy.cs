using Akka.Actor;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary>
/// <c>actor hierarchy</c>: the /user tree, one path per line, indented by depth. Children are read
/// from the local actor cells (all of them live in this process); a busy server's connections are
/// cut short after <see cref="MaxChildren"/> with a count, so the reply stays small.
/// </summary>
internal static class ActorHierarchy
{
    private const int MaxChildren = 20;
    private const int MaxLines = 2000;

    public static ControlReply Print(ActorSystem system)
    {
        var lines = new List<string>();
        if (system is ExtendedActorSystem extended) Walk(extended.Guardian, 0, lines);
        return ControlReply.Text(lines);
    }

    private static void Walk(IActorRef actor, int depth, List<string> lines)
    {
        if (lines.Count >= MaxLines) return;
        lines.Add(new string(' ', depth * 2) + actor.Path.ToStringWithoutAddress());
        if (actor is not ActorRefWithCell cell) return;
        var children = cell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToList();
        foreach (var child in children.Take(MaxChildren)) Walk(child, depth + 1, lines);
        if (children.Count > MaxChildren)
            lines.Add(new string(' ', (depth + 1) * 2) + $"... {children.Count - MaxChildren} more");
    }
}
