using System.Net.Sockets;
using Proxy.Actors.Config;
using Proxy.Actors.Guardian;
using Tags = Proxy.Actors.Stats.StatsdBatch.Tags;

namespace Proxy.Actors.Stats;

/// <summary>
/// Turns the node's counters into StatsD lines as g3proxy does: counts are the change since
/// the last emit (a counter that was never non-zero is left out where g3 leaves it out), gauges
/// are the value now. Names and tags come from g3's metrics docs (sphinx/g3proxy/metrics/).
/// Owned by the stats actor; not thread-safe.
/// </summary>
internal sealed class StatsEmitter(NodeServices services, ProxyConfig config)
{
    private readonly Dictionary<(long StatId, string Metric), long> _last = new();

    public void Emit(StatsdBatch batch)
    {
        foreach (var (name, stats) in services.ServerStats) EmitServer(batch, name, stats);
        foreach (var (name, stats) in services.EscaperStats) EmitEscaper(batch, name, stats);
        foreach (var (name, stats) in services.ResolverStats) EmitResolver(batch, name, stats);
        foreach (var stats in services.Logger.LoggerStats) EmitLogger(batch, stats);
        batch.Flush();
    }

    private void EmitServer(StatsdBatch batch, string name, ServerStats s)
    {
        var extra = config.Servers.FirstOrDefault(c => c.Name == name)?.ExtraMetricsTags;
        s.SampleTraffic();
        var tags = Tags.Of(Common("server", name, s.StatId, ("online", s.Online ? "y" : "n"), extra));
        batch.Count("server.connection.total", Diff(s.StatId, "conn", s.ConnectionTotal), tags);
        batch.Count("server.task.total", Diff(s.StatId, "task", s.TaskTotal), tags);
        batch.Gauge("server.task.alive", s.AliveTasks, tags);
        Optional(batch, "server.forbidden.auth_failed", s.StatId, s.ForbiddenAuthFailed, tags);
        Optional(batch, "server.forbidden.dest_denied", s.StatId, s.ForbiddenDestDenied, tags);
        Optional(batch, "server.forbidden.user_blocked", s.StatId, s.ForbiddenUserBlocked, tags);
        // g3's listen family: the server's tags without the extra ones.
        var listen = extra is null ? tags : Tags.Of(Common("server", name, s.StatId, ("online", s.Online ? "y" : "n"), null));
        batch.Gauge("listen.instance.count", s.ListenInstances, listen);
        batch.Count("listen.accepted", Diff(s.StatId, "accepted", s.Accepted), listen);
        batch.Count("listen.dropped", Diff(s.StatId, "dropped", s.Dropped), listen);
        batch.Count("listen.failed", Diff(s.StatId, "failed", s.AcceptFailed), listen);
        if (Touched(s.StatId, "in", s.InBytes))
        {
            batch.Count("server.traffic.in.bytes", Diff(s.StatId, "in", s.InBytes), tags, "transport", "tcp");
            batch.Count("server.traffic.out.bytes", Diff(s.StatId, "out", s.OutBytes), tags, "transport", "tcp");
        }
        foreach (var user in s.Users.Keys)
        {
            EmitUser(batch, name, extra, user);
            // a user gone from its group, with nothing left running, had its last emit now
            if (user.Owner is { Droppable: true } owner && s.Users.TryRemove(user, out _))
            {
                owner.Forget(user);
                Forget(user.StatId);
            }
        }
    }

    private void EmitEscaper(StatsdBatch batch, string name, EscaperStats s)
    {
        var extra = config.Escapers.FirstOrDefault(c => c.Name == name)?.ExtraMetricsTags;
        var tags = Tags.Of(Common("escaper", name, s.StatId, null, extra));
        batch.Count("escaper.task.total", Diff(s.StatId, "task", s.TaskTotal), tags);
        batch.Count("escaper.connection.attempt", Diff(s.StatId, "attempt", s.ConnectionAttempt), tags);
        batch.Count("escaper.connection.establish", Diff(s.StatId, "establish", s.ConnectionEstablish), tags);
        Optional(batch, "escaper.tcp.connect.attempt", s.StatId, s.TcpConnectAttempt, tags);
        Optional(batch, "escaper.tcp.connect.establish", s.StatId, s.TcpConnectEstablish, tags);
        Optional(batch, "escaper.tcp.connect.success", s.StatId, s.TcpConnectSuccess, tags);
        Optional(batch, "escaper.tcp.connect.error", s.StatId, s.TcpConnectError, tags);
        Optional(batch, "escaper.tcp.connect.timeout", s.StatId, s.TcpConnectTimeout, tags);
        Optional(batch, "escaper.forbidden.ip_blocked", s.StatId, s.ForbiddenIpBlocked, tags);
        if (Touched(s.StatId, "in", s.InBytes))
        {
            batch.Count("escaper.traffic.in.bytes", Diff(s.StatId, "in", s.InBytes), tags, "transport", "tcp");
            batch.Count("escaper.traffic.out.bytes", Diff(s.StatId, "out", s.OutBytes), tags, "transport", "tcp");
        }
        foreach (var user in s.Users.Keys)
        {
            EmitUserUpstream(batch, name, extra, user);
            if (user.Owner is { Droppable: true } owner && s.Users.TryRemove(user, out _))
            {
                owner.Forget(user);
                Forget(user.StatId);
            }
        }
    }

    private void EmitResolver(StatsdBatch batch, string name, ResolverStats s)
    {
        foreach (var (rrType, family) in (ReadOnlySpan<(string, AddressFamily)>)[("A", AddressFamily.InterNetwork), ("AAAA", AddressFamily.InterNetworkV6)])
        {
            var q = s.For(family);
            var key = rrType + ".";
            if (!Touched(s.StatId, key + "total", q.Total)) continue;
            var tags = Tags.Of(new("resolver", name), new("stat_id", s.StatId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("rr_type", rrType));
            batch.Count("resolver.query.total", Diff(s.StatId, key + "total", q.Total), tags);
            Optional(batch, "resolver.query.cached", s.StatId, q.Cached, tags, key);
            Optional(batch, "resolver.query.driver.total", s.StatId, q.DriverTotal, tags, key);
            Optional(batch, "resolver.query.driver.timeout", s.StatId, q.DriverTimeout, tags, key);
            Optional(batch, "resolver.query.server.refused", s.StatId, q.ServerRefused, tags, key);
            Optional(batch, "resolver.query.server.malformed", s.StatId, q.ServerMalformed, tags, key);
            Optional(batch, "resolver.query.server.not_found", s.StatId, q.ServerNotFound, tags, key);
            Optional(batch, "resolver.query.server.serv_fail", s.StatId, q.ServerServFail, tags, key);
        }
    }

    private void EmitLogger(StatsdBatch batch, LoggerStats s)
    {
        var tags = Tags.Of(new("logger", s.Name), new("stat_id", s.StatId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        batch.Count("logger.message.total", Diff(s.StatId, "total", s.Total), tags);
        batch.Count("logger.message.pass", Diff(s.StatId, "pass", s.Passed), tags);
        batch.Count("logger.traffic.pass", Diff(s.StatId, "bytes", s.PassedBytes), tags);
        foreach (var type in Enum.GetValues<LogDropType>())
        {
            var now = s.Dropped(type);
            var metric = "drop." + type;
            if (!Touched(s.StatId, metric, now)) continue;
            batch.Count("logger.message.drop", Diff(s.StatId, metric, now), tags, "drop_type", type.ToString());
        }
    }

    /// <summary>
    /// g3's user (or user.site.&lt;id&gt;) request and traffic families for one user on one server:
    /// tags user_group, user, user_type, stat_id, server, the server's extra tags, then the line's
    /// own connection or request tag.
    /// </summary>
    private void EmitUser(StatsdBatch batch, string server, IReadOnlyDictionary<string, string>? extra, UserServerStats u)
    {
        var id = u.StatId;
        var prefix = u.SiteId is null ? "user." : "user.site." + u.SiteId + ".";
        var tags = Tags.Of(UserTags(u.User, id, "server", server, extra));
        if (u.SiteId is null)
        {
            foreach (var reason in Enum.GetValues<UserForbidden>())
                Optional(batch, reason.Metric(), id, u.Forbidden(reason), tags);
        }
        foreach (var conn in (ReadOnlySpan<UserConnectionType>)[UserConnectionType.Http, UserConnectionType.Socks])
        {
            var key = "conn." + conn.Tag();
            if (Touched(id, key, u.Connections(conn)))
                batch.Count(prefix + "connection.total", Diff(id, key, u.Connections(conn)), tags, "connection", conn.Tag());
        }
        // g3 keeps this gauge for HTTP client connections only, and sends it even at zero
        batch.Gauge(prefix + "l7.connection.alive", u.L7Alive, tags, "connection", UserConnectionType.Http.Tag());
        var types = Enum.GetValues<UserRequestType>();
        foreach (var t in types) Keyed(batch, prefix + "request.total", id, "req." + t.Tag(), u.Requests(t), tags, "request", t.Tag());
        foreach (var t in types) batch.Gauge(prefix + "request.alive", u.Alive(t), tags, "request", t.Tag());
        foreach (var t in types) Keyed(batch, prefix + "request.ready", id, "ready." + t.Tag(), u.Ready(t), tags, "request", t.Tag());
        foreach (var t in (ReadOnlySpan<UserRequestType>)[UserRequestType.HttpForward, UserRequestType.HttpsForward])
            Keyed(batch, prefix + "request.reuse", id, "reuse." + t.Tag(), u.Reuse(t), tags, "request", t.Tag());
        foreach (var t in (ReadOnlySpan<UserRequestType>)[UserRequestType.HttpForward, UserRequestType.HttpsForward])
            Keyed(batch, prefix + "request.renew", id, "renew." + t.Tag(), u.Renew(t), tags, "request", t.Tag());
        foreach (var t in types)
        {
            var tag = t.Tag();
            if (!t.IsUdp())
            {
                if (!Touched(id, "in." + tag, u.InBytes(t))) continue;
                batch.Count(prefix + "traffic.in.bytes", Diff(id, "in." + tag, u.InBytes(t)), tags, "request", tag);
                batch.Count(prefix + "traffic.out.bytes", Diff(id, "out." + tag, u.OutBytes(t)), tags, "request", tag);
                continue;
            }
            if (!Touched(id, "inpk." + tag, u.InPackets(t))) continue;
            batch.Count(prefix + "traffic.in.packets", Diff(id, "inpk." + tag, u.InPackets(t)), tags, "request", tag);
            batch.Count(prefix + "traffic.in.bytes", Diff(id, "in." + tag, u.InBytes(t)), tags, "request", tag);
            batch.Count(prefix + "traffic.out.packets", Diff(id, "outpk." + tag, u.OutPackets(t)), tags, "request", tag);
            batch.Count(prefix + "traffic.out.bytes", Diff(id, "out." + tag, u.OutBytes(t)), tags, "request", tag);
        }
    }

    /// <summary>g3's user.upstream.traffic.* (user.site.&lt;id&gt;.upstream.traffic.*) for one user through one escaper, by transport.</summary>
    private void EmitUserUpstream(StatsdBatch batch, string escaper, IReadOnlyDictionary<string, string>? extra, UserEscaperStats u)
    {
        var id = u.StatId;
        var prefix = (u.SiteId is null ? "user." : "user.site." + u.SiteId + ".") + "upstream.traffic.";
        var tags = Tags.Of(UserTags(u.User, id, "escaper", escaper, extra));
        if (Touched(id, "tcp.out", u.TcpOutBytes))
        {
            batch.Count(prefix + "out.bytes", Diff(id, "tcp.out", u.TcpOutBytes), tags, "transport", "tcp");
            batch.Count(prefix + "in.bytes", Diff(id, "tcp.in", u.TcpInBytes), tags, "transport", "tcp");
        }
        if (Touched(id, "udp.outpk", u.UdpOutPackets))
        {
            batch.Count(prefix + "out.packets", Diff(id, "udp.outpk", u.UdpOutPackets), tags, "transport", "udp");
            batch.Count(prefix + "out.bytes", Diff(id, "udp.out", u.UdpOutBytes), tags, "transport", "udp");
            batch.Count(prefix + "in.packets", Diff(id, "udp.inpk", u.UdpInPackets), tags, "transport", "udp");
            batch.Count(prefix + "in.bytes", Diff(id, "udp.in", u.UdpInBytes), tags, "transport", "udp");
        }
    }

    /// <summary>A per-tag count g3 sends only once it has been non-zero (<paramref name="key"/> keeps its last value apart).</summary>
    private void Keyed(StatsdBatch batch, string metric, long statId, string key, long now, Tags tags, string tagKey, string tagValue)
    {
        if (Touched(statId, key, now)) batch.Count(metric, Diff(statId, key, now), tags, tagKey, tagValue);
    }

    private static IEnumerable<KeyValuePair<string, string>> UserTags(UserStatsIdentity user, long statId, string kind, string name,
        IReadOnlyDictionary<string, string>? extra)
    {
        yield return new("user_group", user.Group);
        yield return new("user", user.User);
        yield return new("user_type", user.UserType);
        yield return new("stat_id", statId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new(kind, name);
        if (extra is null) yield break;
        foreach (var t in extra) yield return t;
    }

    /// <summary>A count g3 sends only once it has been non-zero.</summary>
    private void Optional(StatsdBatch batch, string metric, long statId, long now, Tags tags, string keyPrefix = "")
    {
        if (Touched(statId, keyPrefix + metric, now)) batch.Count(metric, Diff(statId, keyPrefix + metric, now), tags);
    }

    /// <summary>Drops the last values of a stats object that will not be emitted again.</summary>
    private void Forget(long statId)
    {
        foreach (var key in _last.Keys.Where(k => k.StatId == statId).ToList()) _last.Remove(key);
    }

    private bool Touched(long statId, string metric, long now) =>
        now != 0 || (_last.TryGetValue((statId, metric), out var last) && last != 0);

    private long Diff(long statId, string metric, long now)
    {
        _last.TryGetValue((statId, metric), out var last);
        _last[(statId, metric)] = now;
        return now - last;
    }

    /// <summary>The object tag, g3's online tag for servers, stat_id, then the config's extra_metrics_tags.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Common(string kind, string name, long statId,
        (string, string)? online, IReadOnlyDictionary<string, string>? extra)
    {
        yield return new(kind, name);
        if (online is var (k, v)) yield return new(k, v);
        yield return new("stat_id", statId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (extra is null) yield break;
        foreach (var t in extra) yield return t;
    }
}
