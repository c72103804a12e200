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

    /// <summary>As <see cref="IsForbidden(ServerConfig, UpstreamAddr)"/>; a refusal also counts as the task's user's dest_denied, as g3 adds it there.</summary>
    public static bool IsForbidden(ServerConfig config, UpstreamAddr target, Logging.TaskNotes notes)
    {
        if (!IsForbidden(config, target)) return false;
        notes.UserCounts?.Forbid(Stats.UserForbidden.DestDenied);
        return true;
    }
}
