using Proxy.Actors.Stats;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// g3's user.forbidden.* counts of a refused login, on the server that refused it: a known user
/// with a wrong token (auth_failed), past its expire time (user_expired), with block_and_delay
/// (user_blocked), or whose ingress_network_filter forbids the client (src_blocked; not for the
/// anonymous user, as g3). A login with no known user counts nowhere.
/// </summary>
internal static class UserAuthCounts
{
    public static void Refused(AuthResult result, ServerStats server)
    {
        if (result.User is not { } user) return;
        UserForbidden? reason = result.Status switch
        {
            AuthStatus.WrongPassword => UserForbidden.AuthFailed,
            AuthStatus.Expired => UserForbidden.UserExpired,
            AuthStatus.Blocked => UserForbidden.UserBlocked,
            AuthStatus.ForbiddenSource when user.Kind != UserKind.Anonymous => UserForbidden.SrcBlocked,
            _ => null,
        };
        if (reason is { } r) user.Stats.ForServer(server, null).Forbid(r);
    }
}
