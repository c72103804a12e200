using System.Collections.Concurrent;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Users;

/// <summary>
/// A user's metric counters, one object per server (and explicit site) and per escaper it used,
/// shared by the user's rebuilt versions across reloads as g3 shares its stats maps. Each object
/// registers itself with the server's or escaper's counters when it is made, which is how the
/// stats actor finds it. Looked up once per task, never per packet. Once the user leaves its group
/// (<see cref="Retire"/>), the stats actor emits the objects one last time when nothing of the user
/// runs any more and drops them.
/// </summary>
public sealed class UserStatsHolder : IUserStatsOwner
{
    private readonly ConcurrentDictionary<(ServerStats Server, string? Site), UserServerStats> _servers = new();
    private readonly ConcurrentDictionary<(EscaperStats Escaper, string? Site), UserEscaperStats> _escapers = new();
    private volatile bool _retired;

    public UserStatsHolder(string group, string user, UserKind kind) => Identity = new UserStatsIdentity(group, user, kind.ToString());

    public UserStatsIdentity Identity { get; }

    /// <summary>The user left its group (a reload or a new dynamic set without it, or the group went).</summary>
    public void Retire() => _retired = true;

    public bool Retired => _retired;

    // (a user remembers the counters it used last, User.ForServer and ForEscaper: these are the maps behind that)
    public UserServerStats ForServer(ServerStats server, string? siteId) =>
        _servers.GetOrAdd((server, siteId), static (key, owner) =>
        {
            var stats = new UserServerStats(owner.Identity, key.Site, owner, key.Server);
            key.Server.Users.TryAdd(stats, 0);
            return stats;
        }, this);

    public UserEscaperStats ForEscaper(EscaperStats escaper, string? siteId) =>
        _escapers.GetOrAdd((escaper, siteId), static (key, owner) =>
        {
            var stats = new UserEscaperStats(owner.Identity, key.Site, owner, key.Escaper);
            key.Escaper.Users.TryAdd(stats, 0);
            return stats;
        }, this);

    bool IUserStatsOwner.Droppable
    {
        get
        {
            if (!_retired) return false;
            foreach (var stats in _servers.Values)
                if (!stats.Idle) return false;
            return true;
        }
    }

    void IUserStatsOwner.Forget(UserServerStats stats)
    {
        stats.Forgotten = true;
        foreach (var (key, value) in _servers)
            if (ReferenceEquals(value, stats)) _servers.TryRemove(key, out _);
    }

    void IUserStatsOwner.Forget(UserEscaperStats stats)
    {
        stats.Forgotten = true;
        foreach (var (key, value) in _escapers)
            if (ReferenceEquals(value, stats)) _escapers.TryRemove(key, out _);
    }
}
