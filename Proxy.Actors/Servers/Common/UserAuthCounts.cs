using Proxy.Actors.Stats;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// g3's counts of a refused login. The server's: server.forbidden.user_blocked for a user with
/// block_and_delay, server.forbidden.auth_failed for every other refusal, a login with no known
/// user included. The user's, on the server that refused it: a wrong token (auth_failed), past its
/// expire time (user_expired), block_and_delay (user_blocked), or an ingress_network_filter that
/// forbids the client (src_blocked; not for the anonymous user, as g3).
/// </summary>
internal static class UserAuthCounts
{
    public static void Refused(AuthResult result, ServerStats server)
    {
        if (result.Status == AuthStatus.Blocked) server.ForbidUserBlocked();
        else server.ForbidAuthFailed();
        UserOnly(result, server);
    }

    /// <summary>The user's count alone: g3's stream servers keep no server.forbidden.* family.</summary>
    public static void UserOnly(AuthResult result, ServerStats server)
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
        if (reason is { } r) user.ForServer(server, null).Forbid(r);
    }
}
