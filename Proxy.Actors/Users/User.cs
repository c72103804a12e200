using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Stats;
using Proxy.Actors.Users.Limits;
using Proxy.Actors.Users.Sites;
using Proxy.Actors.Users.Tokens;

namespace Proxy.Actors.Users;

/// <summary>Where a user came from, as g3's UserType (task logs print it).</summary>
public enum UserKind { Static, Dynamic, Unmanaged, Anonymous }

/// <summary>
/// A user at run time: the compiled rules of its <see cref="UserConfig"/> and the limiters shared by all
/// of its connections on this node. Thread-safe; connection tasks call it directly. A reload that keeps
/// the user carries its counters and block flag over (<see cref="Rebuild"/>), so running tasks see a block.
/// </summary>
public sealed class User
{
    // What every request reads is declared first: the runtime lays a class's reference fields out first, in
    // declaration order, then its primitive fields, then its structs, so the hot references share the
    // object's first cache lines and the cold ones (declared last) sit between them and the value fields.
    // With many users taking turns a request reaches its user cold; the copies of the config's per-request
    // values (filters, keep-alive, timeouts) spare it the config record, which spans six lines.

    // The user's own counters on the server and escaper its tasks used last: a user mostly goes through one
    // of each, so a task reaches them from the user by one reference compare, not through its holder's maps.
    private UserServerStats? _lastServer;
    private UserEscaperStats? _lastEscaper;
    private readonly NetworkAclRule? _ingressFilter;
    private readonly ProxyRequestAclRule? _proxyRequestFilter;
    private readonly PortAclRule? _dstPortFilter;
    private readonly HostAclRuleSet? _dstHostFilter;
    private readonly UserAgentAclRule? _userAgentFilter;
    private readonly int _requestMaxAlive;
    private readonly bool _mayExpire;
    private readonly bool _blockOnLogin;
    // Inline (a struct: laid out after the fields above), new with every User object: a reload or republish
    // (a possibly changed token) starts it empty.
    private VerifiedPassword _verified;

    /// <param name="ordinals">The group's user numbers (<see cref="Ordinal"/>); null: the user has none (an LDAP unmanaged user).</param>
    public User(string name, string group, UserKind kind, UserConfig config, TimeProvider time, UserOrdinals? ordinals = null)
        : this(name, group, kind, config, time, new BlockFlag(), new AliveCounter(), null, ordinals, ordinals?.Next() ?? -1)
    {
    }

    private User(string name, string group, UserKind kind, UserConfig config, TimeProvider time, BlockFlag block, AliveCounter alive, User? previous,
        UserOrdinals? ordinals, int ordinal)
    {
        // The request path reads the name (the table's key) and the objects made below on every request.
        // Made here they sit next to this object, so with many users taking turns a request reaches one
        // region of memory per user, not several (the parser made its name between its other parsed values).
        Name = new string(name);
        _ingressFilter = config.IngressNetworkFilter;
        _proxyRequestFilter = config.ProxyRequestFilter;
        _dstPortFilter = config.DstPortFilter;
        _dstHostFilter = config.DstHostFilterSet;
        _userAgentFilter = config.HttpUserAgentFilter;
        _requestMaxAlive = config.RequestMaxAlive;
        _mayExpire = config.Expire is not null;
        _blockOnLogin = config.BlockAndDelay is not null;
        HttpUpstreamKeepalive = config.HttpUpstreamKeepalive;
        HttpRspHeaderRecvTimeout = config.HttpRspHeaderRecvTimeout;
        TaskIdleMaxCount = config.TaskIdleMaxCount;
        TcpClientMiscOpts = config.TcpClientMiscOpts;
        ShapesEscape = config is not { TcpConnect: null, TcpRemoteMiscOpts: null, UdpRemoteMiscOpts: null, TcpRemoteKeepalive: null };
        OrdinalSpace = ordinals;
        Ordinal = ordinal;
        Group = group;
        Kind = kind;
        Config = config;
        Time = time;
        _block = block;
        _block.Blocked = _blockOnLogin;
        BlockedCheck = () => _block.Blocked;
        RequestAlive = alive;
        Stats = previous?.Stats ?? new UserStatsHolder(group, name, kind);
        EgressPath = Escapers.EgressPathSelection.FromUser(config.EgressPathIdMap, config.EgressPathValueMap);
        var old = previous?.Config;
        // an unchanged limit keeps its limiter (and what it has counted); a changed one starts afresh
        RequestRate = Keep(config.RequestRateLimit, old?.RequestRateLimit, previous?.RequestRate, q => new GcraRateLimiter(q, time));
        ConnectionRate = Keep(config.ConnectionRateLimit, old?.ConnectionRateLimit, previous?.ConnectionRate, q => new GcraRateLimiter(q, time));
        LogRate = Keep(config.LogRateLimit, old?.LogRateLimit, previous?.LogRate, q => new GcraRateLimiter(q, time));
        TcpAllUpload = Keep(config.TcpAllUploadSpeedLimit, old?.TcpAllUploadSpeedLimit, previous?.TcpAllUpload, l => new GlobalStreamLimiter(l, time));
        TcpAllDownload = Keep(config.TcpAllDownloadSpeedLimit, old?.TcpAllDownloadSpeedLimit, previous?.TcpAllDownload, l => new GlobalStreamLimiter(l, time));
        UdpAllUpload = Keep(config.UdpAllUploadSpeedLimit, old?.UdpAllUploadSpeedLimit, previous?.UdpAllUpload, l => new GlobalDatagramLimiter(l, time));
        UdpAllDownload = Keep(config.UdpAllDownloadSpeedLimit, old?.UdpAllDownloadSpeedLimit, previous?.UdpAllDownload, l => new GlobalDatagramLimiter(l, time));
        var redirection = config.ResolveRedirection.Count > 0 ? new ResolveRedirectionTable(config.ResolveRedirection) : null;
        Escape = config.ResolveStrategy is not null || redirection is not null ? new UserEscape(config.ResolveStrategy, redirection, $"{group}/{name}") : null;
        Sites = UserSites.Build(config.ExplicitSites, site => new UserSite(site,
            site.ResolveStrategy is not null || site.TlsClient is not null
                ? new UserEscape(site.ResolveStrategy ?? config.ResolveStrategy, redirection, $"{group}/{name}/{site.Id}")
                : Escape));
    }

    public string Name { get; }
    /// <summary>The user's metric counters; a rebuilt user counts on into the same ones.</summary>
    public UserStatsHolder Stats { get; }
    public AliveCounter RequestAlive { get; }
    public GcraRateLimiter? RequestRate { get; }
    public GcraRateLimiter? ConnectionRate { get; }
    public GcraRateLimiter? LogRate { get; }

    /// <summary><see cref="IsBlocked"/> as the idle checker's end condition (one delegate per user, not one per request).</summary>
    public Func<bool> BlockedCheck { get; }
    /// <summary>egress_path_id_map and egress_path_value_map, built once (null when neither is set).</summary>
    public Escapers.EgressPathSelection? EgressPath { get; }
    /// <summary>What this user's tasks carry to a direct escaper (resolve_strategy, resolve_redirection); null when the user sets neither.</summary>
    internal UserEscape? Escape { get; }
    /// <summary>The user's explicit_sites; null when it has none.</summary>
    internal UserSites? Sites { get; }
    /// <summary>http_upstream_keepalive.</summary>
    public HttpKeepaliveConfig HttpUpstreamKeepalive { get; }
    /// <summary>tcp_client_misc_opts; null: the server's own.</summary>
    public TcpMiscSockOpts? TcpClientMiscOpts { get; }
    /// <summary>The user sets something an escaper takes: tcp_connect, remote socket options or remote keepalive.</summary>
    internal bool ShapesEscape { get; }
    /// <summary>The user's number in its group (kept across reloads), or -1 without one.</summary>
    public int Ordinal { get; }
    /// <summary>Where <see cref="Ordinal"/> comes from: numbers of different spaces say nothing about each other.</summary>
    public UserOrdinals? OrdinalSpace { get; }
    public int? TaskIdleMaxCount { get; }
    public TimeSpan? HttpRspHeaderRecvTimeout { get; }

    // read off the request path
    public string Group { get; }
    public UserKind Kind { get; }
    public UserConfig Config { get; }
    private TimeProvider Time { get; }
    private readonly BlockFlag _block;

    /// <summary>request_max_alive: a slot for one more request of this user under its config's cap, or null when full.</summary>
    public AliveGuard? TryAcquireAlive() => RequestAlive.TryAcquire(_requestMaxAlive);
    public GlobalStreamLimiter? TcpAllUpload { get; }
    public GlobalStreamLimiter? TcpAllDownload { get; }
    public GlobalDatagramLimiter? UdpAllUpload { get; }
    public GlobalDatagramLimiter? UdpAllDownload { get; }

    /// <summary>The user's counters on <paramref name="server"/> (a site's with <paramref name="siteId"/>), from its holder unless they are the ones it used last.</summary>
    public UserServerStats ForServer(ServerStats server, string? siteId)
    {
        if (siteId is not null) return Stats.ForServer(server, siteId);
        if (Volatile.Read(ref _lastServer) is { } last && ReferenceEquals(last.Server, server) && !last.Forgotten) return last;
        var stats = Stats.ForServer(server, null);
        Volatile.Write(ref _lastServer, stats);
        return stats;
    }

    /// <summary>The user's counters for <paramref name="escaper"/>'s upstreams, as <see cref="ForServer"/>.</summary>
    public UserEscaperStats ForEscaper(EscaperStats escaper, string? siteId)
    {
        if (siteId is not null) return Stats.ForEscaper(escaper, siteId);
        if (Volatile.Read(ref _lastEscaper) is { } last && ReferenceEquals(last.Escaper, escaper) && !last.Forgotten) return last;
        var stats = Stats.ForEscaper(escaper, null);
        Volatile.Write(ref _lastEscaper, stats);
        return stats;
    }

    /// <summary>The counters for the escaper its tasks used last (null: none yet, or forgotten).</summary>
    public UserEscaperStats? LastEscaper => Volatile.Read(ref _lastEscaper) is { Forgotten: false } last ? last : null;

    /// <summary>The explicit site a task's target is in (g3's check_in_site), or null.</summary>
    internal UserSite? SiteOf(UpstreamAddr? upstream) => upstream is null ? null : Sites?.Find(upstream);

    public TcpSockSpeedLimit TcpSockSpeedLimit => Config.TcpSockSpeedLimit;
    public UdpSockSpeedLimit UdpSockSpeedLimit => Config.UdpSockSpeedLimit;

    /// <summary>
    /// Set while the user's config has <c>block_and_delay</c>; shared across reloads of the same user, so
    /// a running task that polls it at each idle check ends once the user is blocked.
    /// </summary>
    public bool IsBlocked => _block.Blocked;

    // most users never expire: no clock read for them on every request
    public bool IsExpired => _mayExpire && Config.IsExpired(Time.GetUtcNow());

    /// <summary>The same user under a new config: counters and block flag carried over, limiters rebuilt only when changed.</summary>
    public User Rebuild(UserConfig config, UserKind kind) =>
        new(Name, Group, kind, config, Time, _block, RequestAlive, this, OrdinalSpace, Ordinal);

    private static TLimiter? Keep<TConfig, TLimiter>(TConfig? now, TConfig? before, TLimiter? existing, Func<TConfig, TLimiter> create)
        where TConfig : class where TLimiter : class =>
        now is null ? null : existing is not null && now.Equals(before) ? existing : create(now);

    /// <summary>g3's check_password: token, then expiry, then block (a blocked user is told after its delay).</summary>
    internal AuthStatus CheckPassword(string password) =>
        !TokenAccepts(password) ? AuthStatus.WrongPassword : CheckAccepted();

    /// <summary>What <see cref="CheckPassword"/> checks after the token: expiry, then block.</summary>
    internal AuthStatus CheckAccepted() =>
        IsExpired ? AuthStatus.Expired
        : _blockOnLogin ? AuthStatus.Blocked
        : AuthStatus.Ok;

    /// <summary>
    /// The password (UTF-8 bytes) is the one this user's token last accepted: the steady state of Basic on
    /// every request, checked without making strings. False sends the caller to <see cref="CheckPassword"/>.
    /// Only a token with a hash fills the slot (<see cref="TokenAccepts"/>), so the token itself is not read here.
    /// </summary>
    internal bool PasswordRemembered(ReadOnlySpan<byte> utf8) => _verified.Matches(utf8);

    private bool TokenAccepts(string password)
    {
        var token = Config.Token;
        if (token.IsTrivial) return token.Verify(password);
        if (_verified.Matches(password)) return true;
        if (!token.Verify(password)) return false;
        _verified.Remember(password);
        return true;
    }

    /// <summary>ingress_network_filter: may this client use this user? (always yes without a filter)</summary>
    public AclAction CheckClient(IPAddress client) => _ingressFilter?.Check(client) ?? AclAction.Permit;

    public AclAction CheckProxyRequest(ProxyRequestType type) => _proxyRequestFilter?.Check(type) ?? AclAction.Permit;

    /// <summary>
    /// g3's check_upstream: the port filter, then the host filter set; a forbidding port rule decides at
    /// once, otherwise the stricter of the two.
    /// </summary>
    public AclAction CheckUpstream(UpstreamAddr upstream)
    {
        var action = AclAction.Permit;
        if (_dstPortFilter is { } ports)
        {
            action = ports.Check(upstream.Port);
            if (action.IsForbidden()) return action;
        }
        if (_dstHostFilter is { } hosts)
        {
            var hostAction = hosts.Check(upstream);
            if (hostAction > action) action = hostAction;
        }
        return action;
    }

    /// <summary>The user has an http_user_agent_filter (the request's User-Agent values are then collected).</summary>
    public bool FiltersUserAgents => _userAgentFilter is not null;

    /// <summary>http_user_agent_filter over every User-Agent value; null when the user has no such filter.</summary>
    public AclAction? CheckUserAgent(IEnumerable<string> userAgents)
    {
        if (_userAgentFilter is not { } filter) return null;
        var action = filter.Default;
        foreach (var ua in userAgents)
        {
            var a = filter.Check(ua);
            if (a.IsForbidden()) return a;
            if (a > action) action = a;
        }
        return action;
    }

    /// <summary>
    /// g3's check_rate_limit: a new client connection takes a connection token, every request a request
    /// token; false means 429 / forbidden.rate_limited.
    /// </summary>
    public bool CheckRateLimit(bool newConnection) =>
        (!newConnection || ConnectionRate is null || ConnectionRate.TryAcquire())
        && (RequestRate is null || RequestRate.TryAcquire());

    /// <summary>log_rate_limit: true when this task's log line should be skipped.</summary>
    public bool SkipLog() => LogRate is not null && !LogRate.TryAcquire();

    private sealed class BlockFlag
    {
        private volatile bool _blocked;
        public bool Blocked { get => _blocked; set => _blocked = value; }
    }
}
