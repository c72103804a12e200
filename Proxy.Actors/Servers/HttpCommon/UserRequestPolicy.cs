using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Users.Limits;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>A request the user's rules refuse: the status g3 answers and the task-log reason.</summary>
internal readonly record struct UserRefusal(int Status, string Reason);

/// <summary>
/// The user's rules for one request, in g3's order (forward and connect tasks): rate limits (429),
/// request_max_alive (429), proxy_request_filter (405), dst_port/host filters (403), then for
/// forwards http_user_agent_filter (403). A <c>_log</c> action acts as its plain one (g3 logs nothing
/// more for them either).
/// </summary>
internal static class UserRequestPolicy
{
    /// <summary>Null when the request may go on; <paramref name="alive"/> then holds its request_max_alive slot until disposed.</summary>
    public static UserRefusal? Check(RequestUser? user, ProxyRequestType type, UpstreamAddr upstream, HttpHeaders? headers, out AliveGuard? alive)
    {
        alive = null;
        if (user is not { } ru) return null;
        var u = ru.User;
        if (!u.CheckRateLimit(ru.FirstOnConnection)) return new UserRefusal(429, "ForbiddenByRule");
        alive = u.RequestAlive.TryAcquire();
        if (alive is null) return new UserRefusal(429, "ForbiddenByRule");
        UserRefusal? refusal =
            u.CheckProxyRequest(type).IsForbidden() ? new UserRefusal(405, "ForbiddenByRule")
            : u.CheckUpstream(upstream).IsForbidden() ? new UserRefusal(403, "ForbiddenByRule")
            : headers is not null && u.CheckUserAgent(headers.GetAll("User-Agent")) is { } ua && ua.IsForbidden() ? new UserRefusal(403, "ForbiddenByRule")
            : null;
        if (refusal is not null)
        {
            alive.Dispose();
            alive = null;
        }
        return refusal;
    }
}
