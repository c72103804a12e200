using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Http1;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Users.Limits;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>A request the user's rules refuse: the status g3 answers and the task-log reason.</summary>
internal readonly record struct UserRefusal(int Status, string Reason);

/// <summary>
/// <see cref="UserTaskPolicy"/> for http_proxy requests, answered with g3's statuses: rate limits and
/// request_max_alive 429, proxy_request_filter 405, dst_port/host and http_user_agent_filter 403.
/// </summary>
internal static class UserRequestPolicy
{
    /// <summary>Null when the request may go on; <paramref name="alive"/> then holds its request_max_alive slot until disposed.</summary>
    public static UserRefusal? Check(RequestUser? user, ProxyRequestType type, UpstreamAddr upstream, HttpHeaders? headers, out AliveGuard? alive,
        Logging.TaskNotes? notes = null, Stats.ServerStats? server = null) =>
        // the User-Agent values are gathered only for a user that filters them
        UserTaskPolicy.Check(user, type, upstream, user?.User.FiltersUserAgents != true ? null : headers?.GetAll("User-Agent"), out alive, notes, server) switch
        {
            null => null,
            UserRefusalKind.RateLimited or UserRefusalKind.FullyLoaded => new UserRefusal(429, "ForbiddenByRule"),
            UserRefusalKind.ProtoBanned => new UserRefusal(405, "ForbiddenByRule"),
            _ => new UserRefusal(403, "ForbiddenByRule"),
        };
}
