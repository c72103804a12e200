using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Relay;
using Proxy.Actors.Logging;
using Proxy.Actors.Stats;
using Proxy.Actors.Users;
using Proxy.Actors.Users.Limits;

namespace Proxy.Actors.Servers.Common;

/// <summary>The user a task runs as, and whether it is this user's first task on the client connection (it then takes a connection_rate_limit token).</summary>
internal readonly record struct RequestUser(User User, bool FirstOnConnection);

/// <summary>Why a user's rules refuse a task (g3's ServerTaskForbiddenError); each server answers it in its protocol.</summary>
internal enum UserRefusalKind { RateLimited, FullyLoaded, ProtoBanned, DestDenied, UaBanned }

/// <summary>
/// The user's rules for one task, in g3's order, shared by every proxying server: rate limits,
/// request_max_alive, proxy_request_filter, then dst_port/host filters (when the target is known)
/// and http_user_agent_filter (when there are User-Agent values). A <c>_log</c> action acts as its
/// plain one (g3 logs nothing more for them either).
/// </summary>
internal static class UserTaskPolicy
{
    /// <summary>
    /// What the idle checker enforces for a task running as <paramref name="user"/> (null: as nobody):
    /// a user blocked while it runs (a reload with block_and_delay) ends it at the next check, and the
    /// user's task_idle_max_count replaces the server's.
    /// </summary>
    public static void Watch(ActivityTracker lifetime, User? user)
    {
        lifetime.EndWhen(user?.BlockedCheck);
        lifetime.MaxIdleCount = user?.TaskIdleMaxCount;
    }

    /// <summary>
    /// Null when the task may go on; <paramref name="alive"/> then holds its request_max_alive slot until disposed.
    /// With <paramref name="notes"/> and <paramref name="server"/>, the task counts into the user's metrics
    /// (request, connection, forbidden and, once its server publishes them, traffic).
    /// </summary>
    public static UserRefusalKind? Check(RequestUser? user, ProxyRequestType type, UpstreamAddr? upstream, IEnumerable<string>? userAgents, out AliveGuard? alive,
        TaskNotes? notes = null, ServerStats? server = null)
    {
        var refusal = CheckRules(user, type, upstream, userAgents, out alive);
        if (user is { } ru && notes is not null)
        {
            var site = ru.User.SiteOf(upstream);
            notes.UserSite = site;
            notes.UserEscape = site is null ? ru.User.Escape : site.Escape;
            if (server is not null)
            {
                var counts = UserTaskCounts.Attach(ru.User, site, ru.FirstOnConnection, type, notes, server);
                if (refusal is { } r) counts.Forbid(r.Metric());
            }
        }
        return refusal;
    }

    private static UserForbidden Metric(this UserRefusalKind kind) => kind switch
    {
        UserRefusalKind.RateLimited => UserForbidden.RateLimited,
        UserRefusalKind.FullyLoaded => UserForbidden.FullyLoaded,
        UserRefusalKind.ProtoBanned => UserForbidden.ProtoBanned,
        UserRefusalKind.DestDenied => UserForbidden.DestDenied,
        _ => UserForbidden.UaBlocked,
    };

    private static UserRefusalKind? CheckRules(RequestUser? user, ProxyRequestType type, UpstreamAddr? upstream, IEnumerable<string>? userAgents, out AliveGuard? alive)
    {
        alive = null;
        if (user is not { } ru) return null;
        var u = ru.User;
        if (!u.CheckRateLimit(ru.FirstOnConnection)) return UserRefusalKind.RateLimited;
        alive = u.TryAcquireAlive();
        if (alive is null) return UserRefusalKind.FullyLoaded;
        UserRefusalKind? refusal =
            u.CheckProxyRequest(type).IsForbidden() ? UserRefusalKind.ProtoBanned
            : upstream is not null && u.CheckUpstream(upstream).IsForbidden() ? UserRefusalKind.DestDenied
            : userAgents is not null && u.CheckUserAgent(userAgents) is { } ua && ua.IsForbidden() ? UserRefusalKind.UaBanned
            : null;
        if (refusal is not null)
        {
            alive.Dispose();
            alive = null;
        }
        return refusal;
    }
}
