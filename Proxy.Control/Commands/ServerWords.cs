using Akka.Actor;
using Proxy.Actors.Config;
using Proxy.Actors.Guardian;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary><c>server NAME status</c>, <c>force-quit NAME</c>, <c>force-quit-all</c>.</summary>
internal static class ServerWords
{
    private static readonly TimeSpan AskWait = TimeSpan.FromSeconds(5);

    /// <summary>g3proxy-ctl's four lines, then where the server listens.</summary>
    public static async Task<ControlReply> StatusAsync(string name, ProxyConfig config, NodeServices services, ActorSystem system, ActorPath servers)
    {
        if (!config.Servers.Any(s => s.Name == name)) return ControlReply.Fail($"no server named '{name}'");
        var status = await system.ActorSelection(servers / Uri.EscapeDataString(name)).Ask<ServerControl.Status>(ServerControl.GetStatus.Instance, AskWait)
            .ConfigureAwait(false);
        var stats = services.ServerStats.GetValueOrDefault(name);
        return ControlReply.Text([
            $"online: {(status.Online ? "true" : "false")}",
            $"alive tasks: {stats?.AliveTasks ?? 0}",
            $"total conn: {stats?.ConnectionTotal ?? 0}",
            $"total task: {stats?.TaskTotal ?? 0}",
            $"listen: {(status.Listening.Count == 0 ? "none" : string.Join(", ", status.Listening))}",
        ]);
    }

    public static ControlReply ForceQuit(string name, ProxyConfig config, ActorSystem system, ActorPath servers)
    {
        if (!config.Servers.Any(s => s.Name == name)) return ControlReply.Fail($"no server named '{name}'");
        system.ActorSelection(servers / Uri.EscapeDataString(name)).Tell(NodeMessages.ForceQuit.Instance, ActorRefs.NoSender);
        return ControlReply.Done($"running tasks of server '{name}' are being ended");
    }

    public static ControlReply ForceQuitAll(ActorSystem system, ActorPath servers)
    {
        system.ActorSelection(servers).Tell(new FamilyActor.Broadcast(NodeMessages.ForceQuit.Instance, ActorRefs.Nobody));
        return ControlReply.Done("running tasks of every server are being ended");
    }
}
