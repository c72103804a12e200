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

    // The user's own counters on the server and escaper it used last: a user mostly goes through one
    // of each, so a task finds them by one reference compare instead of a keyed lookup.
    private volatile Last<ServerStats, UserServerStats>? _lastServer;
    private volatile Last<EscaperStats, UserEscaperStats>? _lastEscaper;

    public UserServerStats ForServer(ServerStats server, string? siteId)
    {
        if (siteId is not null) return ServerEntry(server, siteId);
        if (_lastServer is { } last && ReferenceEquals(last.Key, server)) return last.Value;
        var stats = ServerEntry(server, null);
        _lastServer = new(server, stats);
        return stats;
    }

    public UserEscaperStats ForEscaper(EscaperStats escaper, string? siteId)
    {
        if (siteId is not null) return EscaperEntry(escaper, siteId);
        if (_lastEscaper is { } last && ReferenceEquals(last.Key, escaper)) return last.Value;
        var stats = EscaperEntry(escaper, null);
        _lastEscaper = new(escaper, stats);
        return stats;
    }

    private UserServerStats ServerEntry(ServerStats server, string? siteId) =>
        _servers.GetOrAdd((server, siteId), static (key, id) =>
        {
            var stats = new UserServerStats(id, key.Site);
            key.Server.Users.TryAdd(stats, 0);
            return stats;
        }, Identity);

    private UserEscaperStats EscaperEntry(EscaperStats escaper, string? siteId) =>
        _escapers.GetOrAdd((escaper, siteId), static (key, id) =>
        {
            var stats = new UserEscaperStats(id, key.Site);
            key.Escaper.Users.TryAdd(stats, 0);
            return stats;
        }, Identity);

    private sealed record Last<TKey, TValue>(TKey Key, TValue Value);
}
