using Proxy.Actors.Logging;

namespace Proxy.Actors.Stats;

/// <summary>
/// The user counters one task counts into, found once when the task passes the user's rules (see
/// <see cref="Servers.Common.UserTaskPolicy"/>): the user's on this server and, for a target in an
/// explicit site with <c>emit_stats</c>, the site's. Its bytes are moved there by
/// <see cref="LiveTraffic"/> with the server's, from what the task counted since it was attached (so
/// SOCKS negotiation and a CONNECT head are left out, as in g3).
/// </summary>
public sealed class UserTaskCounts
{
    // the task's user: where its escaper counters are found, and whose log_rate_limit its log line passes
    private readonly Users.User _owner;
    private long _clientRead, _clientWritten, _remoteRead, _remoteWritten;
    private long _clientReadPk, _clientWrittenPk, _remoteReadPk, _remoteWrittenPk;
    private EscaperStats? _escaper;
    private UserEscaperStats? _userUp, _siteUp;
    private bool _ready;

    private UserTaskCounts(Users.User owner, UserServerStats user, UserServerStats? site, UserRequestType type, TaskNotes notes)
    {
        _owner = owner;
        User = user;
        Site = site;
        Type = type;
        // g3's stream servers count no ready request
        _ready = type == UserRequestType.TcpConnect;
        var bytes = notes.Bytes;
        // g3 counts a forwarded request's head as the user's (a CONNECT's or SOCKS negotiation is not).
        _clientRead = type is UserRequestType.HttpForward or UserRequestType.HttpsForward or UserRequestType.FtpOverHttp ? 0 : bytes.ClientRead;
        _clientWritten = bytes.ClientWritten;
        _remoteRead = bytes.RemoteRead;
        _remoteWritten = bytes.RemoteWritten;
        if (notes.Packets is { } p)
        {
            _clientReadPk = p.ClientRead;
            _clientWrittenPk = p.ClientWritten;
            _remoteReadPk = p.RemoteRead;
            _remoteWrittenPk = p.RemoteWritten;
        }
        user.RequestStarted(type);
        site?.RequestStarted(type);
        // Taken now, while the task has its user in the cache: most tasks go through the escaper the user's last
        // one went through, and publishing their upstream bytes then does not reach the user again.
        if (site is null && owner.LastEscaper is { Escaper: { } escaper } last) (_escaper, _userUp) = (escaper, last);
    }

    /// <summary>
    /// The task's counters, found and counted (request total and alive, and the client connection
    /// on the user's first task on it) on the first call; later calls for the same task return them.
    /// </summary>
    internal static UserTaskCounts Attach(Users.User owner, Users.Sites.UserSite? userSite, bool firstOnConnection,
        Config.Acl.ProxyRequestType request, TaskNotes notes, ServerStats server)
    {
        if (notes.UserCounts is { } attached) return attached;
        var type = request switch
        {
            Config.Acl.ProxyRequestType.HttpForward => UserRequestType.HttpForward,
            Config.Acl.ProxyRequestType.HttpsForward => UserRequestType.HttpsForward,
            Config.Acl.ProxyRequestType.FtpOverHttp => UserRequestType.FtpOverHttp,
            Config.Acl.ProxyRequestType.HttpConnect => UserRequestType.HttpConnect,
            Config.Acl.ProxyRequestType.SocksTcpConnect => UserRequestType.SocksTcpConnect,
            // one filter type covers both SOCKS UDP modes; the task type tells them apart
            _ => notes.TaskType == "UdpConnect" ? UserRequestType.SocksUdpConnect : UserRequestType.SocksUdpAssociate,
        };
        var user = owner.ForServer(server, null);
        // only a site with emit_stats has metrics of its own
        var site = userSite is { Config.EmitStats: true } ? owner.ForServer(server, userSite.Id) : null;
        var counts = new UserTaskCounts(owner, user, site, type, notes);
        if (firstOnConnection)
        {
            user.ConnectionOpened(type.Connection());
            site?.ConnectionOpened(type.Connection());
            if (type.Connection() == UserConnectionType.Http)
            {
                // the HTTP connection gives these back when it closes (ClientConnection.Close)
                user.L7Opened();
                site?.L7Opened();
                counts.OpenedL7 = true;
            }
        }
        notes.UserCounts = counts;
        return counts;
    }

    /// <summary>
    /// A stream server's task with a facts user (tcp_stream, tls_stream, tcp_tproxy, sni_proxy): g3 counts
    /// it as request tcp_connect, with no client connection, no explicit site and no ready count.
    /// </summary>
    internal static UserTaskCounts AttachStream(Users.User user, TaskNotes notes, ServerStats server)
    {
        if (notes.UserCounts is { } attached) return attached;
        var counts = new UserTaskCounts(user, user.ForServer(server, null), null, UserRequestType.TcpConnect, notes);
        notes.UserCounts = counts;
        return counts;
    }

    /// <summary>This task's first request on an HTTP connection counted the user's l7 connection alive.</summary>
    internal bool OpenedL7 { get; private set; }

    /// <summary>
    /// g3's log_rate_limit: true when the user's log budget is spent, so this task line is skipped
    /// and counted as user.forbidden.log_skipped. Each line asks once.
    /// </summary>
    internal bool SkipLog()
    {
        if (!_owner.SkipLog()) return false;
        User.Forbid(UserForbidden.LogSkipped);
        return true;
    }

    public UserServerStats User { get; }
    public UserServerStats? Site { get; }
    public UserRequestType Type { get; }

    public void Forbid(UserForbidden reason) => User.Forbid(reason);

    /// <summary>Adds the task's bytes since the last call. Called under the task's publish lock.</summary>
    internal void Publish(TaskNotes notes)
    {
        if (!_ready && notes.ReadyTime is not null)
        {
            _ready = true;
            User.RequestReady(Type);
            Site?.RequestReady(Type);
        }
        var bytes = notes.Bytes;
        var packets = notes.Packets;
        long cr = bytes.ClientRead, cw = bytes.ClientWritten;
        long crp = packets?.ClientRead ?? 0, cwp = packets?.ClientWritten ?? 0;
        long dIn = cr - _clientRead, dOut = cw - _clientWritten, dInPk = crp - _clientReadPk, dOutPk = cwp - _clientWrittenPk;
        if ((dIn | dOut | dInPk | dOutPk) != 0)
        {
            User.AddTraffic(Type, dIn, dOut, dInPk, dOutPk);
            Site?.AddTraffic(Type, dIn, dOut, dInPk, dOutPk);
            (_clientRead, _clientWritten, _clientReadPk, _clientWrittenPk) = (cr, cw, crp, cwp);
        }
        if (notes.EscaperStats is not { } escaper) return;
        if (!ReferenceEquals(escaper, _escaper))
        {
            _escaper = escaper;
            _userUp = _owner.ForEscaper(escaper, null);
            _siteUp = Site is null ? null : _owner.ForEscaper(escaper, Site.SiteId);
        }
        long rr = bytes.RemoteRead, rw = bytes.RemoteWritten;
        long rrp = packets?.RemoteRead ?? 0, rwp = packets?.RemoteWritten ?? 0;
        long uIn = rr - _remoteRead, uOut = rw - _remoteWritten, uInPk = rrp - _remoteReadPk, uOutPk = rwp - _remoteWrittenPk;
        if ((uIn | uOut | uInPk | uOutPk) == 0) return;
        AddUpstream(_userUp!, uIn, uOut, uInPk, uOutPk);
        if (_siteUp is not null) AddUpstream(_siteUp, uIn, uOut, uInPk, uOutPk);
        (_remoteRead, _remoteWritten, _remoteReadPk, _remoteWrittenPk) = (rr, rw, rrp, rwp);
    }

    private void AddUpstream(UserEscaperStats up, long inBytes, long outBytes, long inPackets, long outPackets)
    {
        if (Type.IsUdp()) up.AddUdp(inBytes, outBytes, inPackets, outPackets);
        else up.AddTcp(inBytes, outBytes);
    }

    /// <summary>An HTTP forward took a kept-alive upstream (user.request.reuse).</summary>
    public void Reused()
    {
        User.RequestReused(Type);
        Site?.RequestReused(Type);
    }

    /// <summary>A kept-alive upstream failed before the response and a new one is tried (user.request.renew).</summary>
    public void Renewed()
    {
        User.RequestRenewed(Type);
        Site?.RequestRenewed(Type);
    }

    /// <summary>The task ended (its last bytes were published): alive goes down.</summary>
    internal void Ended()
    {
        User.RequestEnded(Type);
        Site?.RequestEnded(Type);
    }
}
