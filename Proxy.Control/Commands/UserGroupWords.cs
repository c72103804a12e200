using System.Text.Json;
using Akka.Actor;
using Proxy.Actors.Config;
using Proxy.Actors.Handles;
using Proxy.Actors.Users;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary>
/// <c>user-group NAME list-static-user|list-dynamic-user</c> (names, one per line, from the published
/// handle) and <c>publish-user JSON</c> (pbm reads the file; the user-group actor replaces its dynamic users).
/// </summary>
internal static class UserGroupWords
{
    private static readonly TimeSpan AskWait = TimeSpan.FromSeconds(10);

    public static ControlReply List(string name, bool dynamic, ProxyConfig config, HandleRegistry<IUserGroup> groups)
    {
        if (!config.UserGroups.Any(g => g.Name == name) || !groups.TryGet(name, out var group))
            return ControlReply.Fail($"no user-group named '{name}'");
        return ControlReply.Text((dynamic ? group.DynamicUserNames : group.StaticUserNames).Order(StringComparer.Ordinal));
    }

    public static async Task<ControlReply> PublishAsync(string name, string json, ProxyConfig config, ActorSystem system, ActorPath userGroups)
    {
        if (!config.UserGroups.Any(g => g.Name == name)) return ControlReply.Fail($"no user-group named '{name}'");
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return ControlReply.Fail($"invalid JSON: {e.Message}");
        }
        var result = await system.ActorSelection(userGroups / Uri.EscapeDataString(name))
            .Ask<UserGroupActor.PublishUsersResult>(new UserGroupActor.PublishUsers(json), AskWait).ConfigureAwait(false);
        return result.Ok ? ControlReply.Done($"dynamic users of user-group '{name}' replaced") : ControlReply.Fail(result.Error ?? "publish refused");
    }
}
