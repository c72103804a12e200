using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>
/// g3's <c>direct_fixed</c>: connect from this host. Domain targets are resolved through the
/// configured resolver's published handle (looked up per call, so a resolver reload takes
/// effect at once) and connected with happy eyeballs; every address passes no_ipv4/no_ipv6,
/// egress_network_filter and bind_ip first. Thread-safe and stateless per call: this object
/// is the handle the escaper actor publishes.
/// </summary>
/// <remarks>
/// Deliberate differences from g3 (G3Actors decisions): an IP target is tried up to
/// max_retry+1 times (g3 tries it once); a domain with fewer addresses than tries retries
/// them in turn; an address forbidden by egress_network_filter is skipped rather than
/// failing the whole request, which fails with 403 only when every address is forbidden.
/// </remarks>
public sealed class DirectFixedEscaper : IEscaper, IHttpForwardPool, IDisposable
{
    private readonly HttpUpstreamPool _pool;
    private readonly HandleRegistry<IResolver> _resolvers;
    private readonly ISocketConnector _connector;
    private readonly TimeProvider _time;
    private readonly Stats.EscaperStats? _stats;
    private readonly ResolveRedirectionTable? _redirection;

    public DirectFixedEscaper(DirectFixedEscaperConfig config, HandleRegistry<IResolver> resolvers,
        ISocketConnector? connector = null, TimeProvider? time = null, Stats.EscaperStats? stats = null)
    {
        _stats = stats;
        Config = config;
        _resolvers = resolvers;
        _connector = connector ?? SocketConnector.Instance;
        _time = time ?? TimeProvider.System;
        _pool = new HttpUpstreamPool(_time);
        _redirection = config.ResolveRedirection.Count > 0 ? new ResolveRedirectionTable(config.ResolveRedirection) : null;
    }

    public DirectFixedEscaperConfig Config { get; }

    public string Name => Config.Name;

    public string TypeName => Config.TypeName;

    public ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct) => EscapeAsync(request, Config, ct);

    /// <summary>With the bind addresses of the moment (direct_float's published set) instead of bind_ip.</summary>
    internal ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, IReadOnlyList<IPAddress> bindIps, CancellationToken ct) =>
        EscapeAsync(request, Config with { BindIp = bindIps }, ct);

    private async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, DirectFixedEscaperConfig config, CancellationToken ct)
    {
        // Every task counts, a forwarded request on a pooled connection too (g3's escaper.task.total).
        _stats?.TaskStarted();
        if (request.Want == EscapeWant.Udp) return await OpenUdpAsync(request, config, ct).ConfigureAwait(false);
        var path = config.EnablePathSelection ? request.Task.EgressPath : null;
        var poolKey = PathPoolKey(request, config, path);
        if (request.Want == EscapeWant.HttpForward && UpstreamCompletion.TakePooled(request, _pool, poolKey) is { } pooled) return pooled;
        var tcp = await ConnectTcpAsync(request, config, path, ct).ConfigureAwait(false);
        tcp = await OutgoingProxyHeader.WriteAsync(tcp, config.UseProxyProtocol, request, request.Target.ToString(), ct).ConfigureAwait(false);
        return await UpstreamCompletion.CompleteAsync(request, tcp, _pool, _time, ct, poolKey).ConfigureAwait(false);
    }

    /// <summary>An idle pooled connection without the escape path; null when the request's egress path keys it apart, or none idles.</summary>
    public EscapeResult? TryTakePooled(EscapeRequest request)
    {
        if (request.Want != EscapeWant.HttpForward || (Config.EnablePathSelection && request.Task.EgressPath is not null)) return null;
        if (UpstreamCompletion.TakePooled(request, _pool) is not { } pooled) return null;
        _stats?.TaskStarted();
        return pooled;
    }

    /// <summary>
    /// The forward pool key: a request whose path id picked the bind addresses may only reuse a
    /// connection that left from the same ones, so the picked indices are part of the key.
    /// </summary>
    private string PathPoolKey(EscapeRequest request, DirectFixedEscaperConfig config, EgressPathSelection? path)
    {
        var key = _pool.DirectKey(request);
        if (path is null) return key;
        var v4 = ConnectCandidates.PathIndex(path, config.Name, ConnectCandidates.BindIps(config.BindIp, AddressFamily.InterNetwork).Length);
        var v6 = ConnectCandidates.PathIndex(path, config.Name, ConnectCandidates.BindIps(config.BindIp, AddressFamily.InterNetworkV6).Length);
        return v4 is null && v6 is null ? key : $"{key}#path={v4},{v6}";
    }

    public void Dispose() => _pool.Dispose();

    /// <summary>
    /// A UDP relay socket; the request's target (the task's first datagram) is resolved and checked
    /// first, so a target that cannot be reached fails the escape as a connect would.
    /// </summary>
    private async ValueTask<EscapeResult> OpenUdpAsync(EscapeRequest request, DirectFixedEscaperConfig config, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        var bindIp = UdpBindIp(config, config.EnablePathSelection ? request.Task.EgressPath : null);
        DirectUdpUpstream udp;
        try
        {
            udp = DirectUdpUpstream.Open(config, _resolvers, request.UdpSocketBuffer, bindIp, config.UdpMiscOpts.AdjustTo(request.UserUdpMiscOpts));
        }
        catch (SocketException e)
        {
            return EscapeResult.Fail(EscapeErrorKind.ConnectFailed, $"udp socket: {e.SocketErrorCode}", 0, Elapsed(started));
        }
        catch (IOException e)
        {
            return EscapeResult.Fail(EscapeErrorKind.ConnectFailed, $"udp socket: udp_misc_opts.{e.Message}", 0, Elapsed(started));
        }
        var (ip, failure) = await udp.ResolveAsync(RedirectedUdpTarget(request), ct).ConfigureAwait(false);
        if (ip is null)
        {
            await udp.DisposeAsync().ConfigureAwait(false);
            return EscapeResult.Fail(failure.Error, failure.Reason ?? failure.Error.ToString(), 0, Elapsed(started));
        }
        return new EscapeResult
        {
            Udp = udp,
            PeerAddr = new IPEndPoint(ip, request.Target.Port),
            BoundAddr = udp.BoundAddr,
            BindIp = bindIp,
            Tries = 1,
            Spend = Elapsed(started),
        };
    }

    /// <summary>
    /// The UDP socket's bind address, as g3's get_bind_random: among the bind_ip of the socket's family
    /// (the first one's), the one the task's path id picks (enable_path_selection), else a random one.
    /// </summary>
    private static IPAddress? UdpBindIp(DirectFixedEscaperConfig config, EgressPathSelection? path)
    {
        if (config.BindIp.Count == 0) return null;
        var family = ConnectCandidates.BindIps(config.BindIp, config.BindIp[0].AddressFamily);
        return family[ConnectCandidates.PathIndex(path, config.Name, family.Length) ?? Random.Shared.Next(family.Length)];
    }

    /// <summary>resolve_redirection (the user's, then the escaper's) for a UDP target: the other name, or the first redirected address the query allows.</summary>
    private UpstreamAddr RedirectedUdpTarget(EscapeRequest request)
    {
        var target = request.Target;
        if (target.Ip is not null || Redirect(request) is not { } redirect) return target;
        if (redirect.Name is { } name) return new UpstreamAddr(name, target.Port);
        var query = EffectiveQuery(request.UserEscape, out _) ?? Config.ResolveStrategy.Query;
        return ResolveRedirectionTable.Order(redirect.Ips!, query) is [var first, ..] ? new UpstreamAddr(first.ToString(), target.Port) : target;
    }

    private async ValueTask<EscapeResult> ConnectTcpAsync(
        EscapeRequest request, DirectFixedEscaperConfig config, EgressPathSelection? path, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        var target = request.Target;
        var tcpConnect = request.UserTcpConnect is { } user ? user.LimitTo(config.TcpConnect) : config.TcpConnect;
        // adjust_to takes the user's pick
        var pick = request.UserEscape?.ResolveStrategy?.Pick ?? Config.ResolveStrategy.Pick;
        var candidates = new ConnectCandidates(config, Math.Max(1, tcpConnect.MaxRetry + 1), path, pick);
        Task<ResolveResult>? pending = null;
        TimeSpan attemptDelay;

        var redirect = target.Ip is null ? Redirect(request) : null;
        if (target.Ip is { } ip)
        {
            // An IP target is one address: its tries follow each other, none in parallel.
            candidates.AddInitial([ip]);
            attemptDelay = Timeout.InfiniteTimeSpan;
        }
        else
        {
            if (EffectiveQuery(request.UserEscape, out var forbidReason) is not { } query)
                return EscapeResult.Fail(EscapeErrorKind.ForbiddenByRule, forbidReason!, 0, Elapsed(started));
            attemptDelay = Config.HappyEyeballs.ConnectionAttemptDelay;
            if (redirect?.Ips is { } fixedIps)
            {
                // resolve_redirection to addresses: they stand for the resolver's answer
                candidates.AddInitial(ResolveRedirectionTable.Order(fixedIps, query));
            }
            else
            {
                var host = redirect?.Name ?? target.Host;
                var resolver = _resolvers.Get(Config.Resolver);
                var start = await TargetResolution.StartAsync(resolver, host, query, Config.HappyEyeballs, _time, ct)
                    .ConfigureAwait(false);
                if (start.Failure is { } failure)
                    return EscapeResult.Fail(EscapeErrorKind.ResolveFailed,
                        $"resolve {host} via '{resolver.Name}': {failure.Reason ?? failure.Error.ToString()}",
                        0, Elapsed(started));
                candidates.AddInitial(start.First, start.Second);
                pending = start.Pending;
            }
        }

        if (!candidates.AnyPermitted && pending is null)
        {
            _stats?.IpBlocked();
            // g3 counts it for the task's user too (user.forbidden.ip_blocked)
            request.Task.UserCounts?.Forbid(Stats.UserForbidden.IpBlocked);
            return candidates.NothingToConnect(Elapsed(started));
        }

        _stats?.ConnectionAttempted();
        var race = new ConnectRace(_connector, tcpConnect, Config.HappyEyeballs, _time, SocketSetup(request));
        var outcome = await race.RunAsync(candidates, target.Port, pending, attemptDelay, ct).ConfigureAwait(false);
        var spend = Elapsed(started);
        _stats?.TcpConnected(outcome.Tries, outcome.Winner?.Socket is not null,
            outcome.LastFailure?.Error == EscapeErrorKind.ConnectTimeout);

        if (outcome.Winner is { Socket: { } socket } winner)
            return Connected(socket, winner, outcome.Tries, spend);
        if (outcome.LastFailure is { } last)
            return EscapeResult.Fail(last.Error, last.Reason ?? last.Error.ToString(), outcome.Tries, spend) with
            {
                PeerAddr = last.Peer,
                BindIp = last.BindIp,
            };
        if (outcome.SecondFamilyTimedOut && candidates.AnyPermitted)
            return EscapeResult.Fail(EscapeErrorKind.ConnectTimeout, "timed out waiting for the second address family",
                outcome.Tries, spend);
        return candidates.NothingToConnect(spend);
    }

    /// <summary>g3 asks the user's resolve_redirection first, then the escaper's.</summary>
    private ResolveRedirectionTarget? Redirect(EscapeRequest request) =>
        request.UserEscape?.Redirection?.Lookup(request.Target.Host) ?? _redirection?.Lookup(request.Target.Host);

    /// <summary>
    /// resolve_strategy narrowed by no_ipv4/no_ipv6, then by the task's user (g3's adjust_to: an
    /// escaper bound to one family keeps it, otherwise the user's query applies); null (with a
    /// reason) when nothing is left.
    /// </summary>
    private ResolveQuery? EffectiveQuery(UserEscape? user, out string? forbidReason)
    {
        var own = EscaperQuery(out forbidReason);
        return own is { } q && user?.ResolveStrategy is { } strategy ? new ResolveStrategy(q).AdjustTo(strategy).Query : own;
    }

    private ResolveQuery? EscaperQuery(out string? forbidReason)
    {
        forbidReason = null;
        var query = Config.ResolveStrategy.Query;
        if (Config.NoIpv4 && Config.NoIpv6)
        {
            forbidReason = "both no_ipv4 and no_ipv6 are set";
            return null;
        }
        if (Config.NoIpv4)
        {
            if (query == ResolveQuery.Ipv4Only) { forbidReason = "resolve_strategy Ipv4Only but no_ipv4 is set"; return null; }
            return ResolveQuery.Ipv6Only;
        }
        if (Config.NoIpv6)
        {
            if (query == ResolveQuery.Ipv6Only) { forbidReason = "resolve_strategy Ipv6Only but no_ipv6 is set"; return null; }
            return ResolveQuery.Ipv4Only;
        }
        return query;
    }

    private EscapeResult Connected(Socket socket, ConnectAttemptResult winner, int tries, TimeSpan spend)
    {
        return EscapeResult.Connected(socket) with
        {
            PeerAddr = winner.Peer,
            BoundAddr = socket.LocalEndPoint as IPEndPoint,
            BindIp = winner.BindIp,
            ChainedTargetAddr = winner.Peer,
            ChainedOutgoingAddr = socket.LocalEndPoint as IPEndPoint,
            Tries = tries,
            Spend = spend,
            SpeedLimit = Config.TcpSockSpeedLimit,
            Stats = _stats,
        };
    }

    /// <summary>The escaper's socket options with the task's user's on top (g3's adjust_to for misc opts; the user's keepalive replaces).</summary>
    private TcpSocketSetup SocketSetup(EscapeRequest request) => Config.UserRemoteOpts
        ? new(Config.BindInterface, Config.TcpMiscOpts.AdjustTo(request.UserTcpMiscOpts), TcpKeepaliveConfig.AdjustTo(Config.TcpKeepalive, request.UserTcpKeepalive))
        : new(Config.BindInterface, Config.TcpMiscOpts, Config.TcpKeepalive);

    private TimeSpan Elapsed(long started) => _time.GetElapsedTime(started);
}
