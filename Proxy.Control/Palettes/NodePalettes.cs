using Proxy.Control.Wire;

namespace Proxy.Control.Palettes;

/// <summary>
/// The words a node offers, grouped in palettes the way Petabridge.Cmd does (the first word names
/// the palette). The words and their output are g3proxy-ctl's; <c>reload</c>, <c>escaper .. published</c>
/// and <c>actor hierarchy</c> are additions. Sent to pbm on connect for help and completion; a
/// <c>&lt;kind&gt;</c> placeholder completes from the names the node sends alongside.
/// </summary>
internal static class NodePalettes
{
    public static readonly IReadOnlyList<CommandPaletteInfo> All =
    [
        new("proc", "the node process", [
            new("version", "print the node's version"),
            new("offline", "graceful shutdown: after runtime.server_offline_delay stop accepting, wait for tasks, leave the cluster, exit"),
            new("cancel-shutdown", "abort a pending offline while it still waits for server_offline_delay"),
            new("force-quit <server>", "end the running tasks of one server now"),
            new("force-quit-all", "end the running tasks of every server now"),
            new("reload", "re-read the config files and reload every resolver, escaper and server"),
            new("help", "list the words this node offers"),
        ]),
        new("list", "names of configured objects", [
            new("list server", "servers, one per line"),
            new("list escaper", "escapers, one per line"),
            new("list resolver", "resolvers, one per line"),
            new("list user-group", "user groups, one per line"),
            new("list auditor", "auditors, one per line"),
        ]),
        new("reload", "per-object reload from the config files", [
            new("reload-server <server>", "rebuild one server; its socket stays when listen did not change"),
            new("reload-escaper <escaper>", "rebuild one escaper; running tasks keep the old one"),
            new("reload-resolver <resolver>", "rebuild one resolver"),
            new("reload-user-group <user-group>", "rebuild one user group"),
            new("reload-auditor <auditor>", "rebuild one auditor"),
        ]),
        new("server", "one server", [
            new("server <server> status", "online, alive tasks, total conn, total task"),
        ]),
        new("escaper", "one escaper", [
            new("escaper <escaper> publish [-f FILE] [JSON]", "push dynamic data (JSON) to a float escaper"),
            new("escaper <escaper> published", "print what was published to the escaper"),
        ]),
        new("resolver", "one resolver", [
            new("resolver <resolver> query <domain> [-s STRATEGY]", "resolve through this resolver (STRATEGY: ipv4first, ipv6first, ipv4only, ipv6only)"),
        ]),
        new("user-group", "one user group", [
            new("user-group <user-group> list-static-user", "static users, one per line"),
            new("user-group <user-group> list-dynamic-user", "dynamic users, one per line"),
            new("user-group <user-group> publish-user <file>", "replace the dynamic users with a JSON array"),
        ]),
        new("cluster", "the cluster's members", [
            new("cluster show", "members as this node sees them: address, region, roles, status, reachability"),
            new("cluster relays", "live relays per region as this node routes to them: address, TLS name, load, member"),
            new("cluster leave <member>", "the member leaves the cluster gracefully (HOST:PORT or akka.tcp://G3Actors@HOST:PORT)"),
            new("cluster down <member>", "mark the member down: the others stop waiting for it"),
        ]),
        new("route", "region rules, replicated to every node", [
            new("route list", "the rules as REGION KIND PATTERN, one per line"),
            new("route set <region> " + Commands.RouteWords.Kinds + " <pattern>", "send destinations matching PATTERN to REGION"),
            new("route remove " + Commands.RouteWords.Kinds + " <pattern>", "remove a rule"),
        ]),
        new("--cluster", "fleet control", [
            new("--cluster [WORDS...]", "run the words on every Up member; each answer is prefixed with the member's address"),
        ]),
        new("actor", "the actor system", [
            new("actor hierarchy", "print the node's actor tree"),
        ]),
    ];

    /// <summary>The <c>help</c> text: every usage with its help, aligned.</summary>
    public static IReadOnlyList<string> HelpLines()
    {
        var width = All.SelectMany(p => p.Commands).Max(c => c.Usage.Length) + 2;
        return All.SelectMany(p => p.Commands).Select(c => c.Usage.PadRight(width) + c.Help).ToList();
    }
}
