using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Servers.Common;

/// <summary>The server-level destination ACLs (dst_host_filter_set, dst_port_filter), shared by every proxying server.</summary>
internal static class TargetPolicy
{
    public static bool IsForbidden(ServerConfig config, UpstreamAddr target)
    {
        if (config.DstPortFilter is { } ports && ports.Check(target.Port).IsForbidden()) return true;
        if (config.DstHostFilterSet is { } hosts && hosts.Check(target).IsForbidden()) return true;
        return false;
    }

    /// <summary>As <see cref="IsForbidden(ServerConfig, UpstreamAddr)"/>; a refusal counts as the server's dest_denied and the task's user's, as g3 adds it to both.</summary>
    public static bool IsForbidden(ServerContext server, UpstreamAddr target, Logging.TaskNotes notes)
    {
        if (!IsForbidden(server.Config, target)) return false;
        server.Stats.ForbidDestDenied();
        notes.UserCounts?.Forbid(Stats.UserForbidden.DestDenied);
        return true;
    }
}
