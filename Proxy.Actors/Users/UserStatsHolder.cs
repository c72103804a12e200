using System.Collections.Concurrent;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Users;

/// <summary>
/// A user's metric counters, one object per server (and explicit site) and per escaper it used,
/// shared by the user's rebuilt versions across reloads as g3 shares its stats maps. Each object
/// registers itself with the server's or escaper's counters when it is made, which is how the
/// stats actor finds it. Looked up once per task, never per packet.
/// </summary>
public sealed class UserStatsHolder : IUserEscaperStatsSource
{
    private readonly ConcurrentDictionary<(ServerStats Server, string? Site), UserServerStats> _servers = new();
    private readonly ConcurrentDictionary<(EscaperStats Escaper, string? Site), UserEscaperStats> _escapers = new();

    public UserStatsHolder(string group, string user, UserKind kind) => Identity = new UserStatsIdentity(group, user, kind.ToString());

    public UserStatsIdentity Identity { get; }

    public UserServerStats ForServer(ServerStats server, string? siteId) =>
        _servers.GetOrAdd((server, siteId), static (key, id) =>
        {
            var stats = new UserServerStats(id, key.Site);
            key.Server.Users.TryAdd(stats, 0);
            return stats;
        }, Identity);

    public UserEscaperStats ForEscaper(EscaperStats escaper, string? siteId) =>
        _escapers.GetOrAdd((escaper, siteId), static (key, id) =>
        {
            var stats = new UserEscaperStats(id, key.Site);
            key.Escaper.Users.TryAdd(stats, 0);
            return stats;
        }, Identity);
}
