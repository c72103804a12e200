using System.Text;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Escapers.Http;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Proxy;

/// <summary>
/// g3's <c>proxy_http</c> and <c>proxy_https</c>: every request goes through a next-hop HTTP proxy
/// picked from proxy_addr. Tunnels (TCP, TLS, and https forwarding unless the next proxy may do it:
/// http_forward_capability.forward_https) are a CONNECT; the node then does TLS itself through
/// <see cref="UpstreamCompletion"/>. HTTP forwarding hands out absolute-form leases to the next
/// proxy with its Proxy-Authorization, pooled per proxy address so requests share a connection.
/// peer_negotiation_timeout bounds reaching the proxy and its CONNECT reply, as in g3.
/// </summary>
public sealed class ProxyHttpEscaper : IEscaper, IDisposable
{
    /// <summary>The password g3 sends with pass_proxy_userid: its package name.</summary>
    internal const string PassUseridPassword = "g3proxy";

    private readonly NextProxyDialer _dialer;
    private readonly SelectiveVector<UpstreamAddr> _proxies;
    private readonly HttpUpstreamPool _pool;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, string>[] _staticFields;

    public ProxyHttpEscaper(ProxyHttpEscaperConfig config, HandleRegistry<IResolver> resolvers,
        ISocketConnector? connector = null, TimeProvider? time = null)
    {
        Config = config;
        _time = time ?? TimeProvider.System;
        _dialer = new NextProxyDialer(config, resolvers, connector, _time);
        _proxies = new SelectiveVector<UpstreamAddr>(config.ProxyAddr, a => a.ToString());
        _pool = new HttpUpstreamPool(_time);
        _staticFields = (config.ProxyUsername is { } user ? [BasicAuth(user, config.ProxyPassword ?? "")] : Array.Empty<KeyValuePair<string, string>>())
            .Concat(config.AppendHeaders).ToArray();
    }

    public ProxyHttpEscaperConfig Config { get; }
    public string Name => Config.Name;
    public string TypeName => Config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        if (request.Want == EscapeWant.Udp)
            return EscapeResult.Fail(EscapeErrorKind.NotSupported, $"escaper '{Name}': an HTTP proxy has no UDP relay");
        var proxy = PickProxy(request);
        if (request.Want == EscapeWant.HttpForward && (request.Tls is null || Config.HttpForwardCapability.ForwardHttps))
            return await ForwardAsync(request, proxy, ct).ConfigureAwait(false);

        // Tunnels through a next proxy that authenticated one user must not serve another.
        var pool = Config.PassProxyUserid ? null : _pool;
        if (request.Want == EscapeWant.HttpForward && pool is not null && UpstreamCompletion.TakePooled(request, pool) is { } pooled)
            return pooled;
        var tunnel = await NegotiateAsync(request, proxy, connect: true, ct).ConfigureAwait(false);
        return await UpstreamCompletion.CompleteAsync(request, tunnel, pool, _time, ct).ConfigureAwait(false);
    }

    /// <summary>An absolute-form lease to the next proxy, pooled by the proxy's address (and the passed user).</summary>
    private async ValueTask<EscapeResult> ForwardAsync(EscapeRequest request, UpstreamAddr proxy, CancellationToken ct)
    {
        var key = "proxy://" + proxy + (Config.PassProxyUserid ? "#" + request.UserName : "");
        if (UpstreamCompletion.TakePooled(request, _pool, key) is { } pooled) return pooled;
        var connected = await NegotiateAsync(request, proxy, connect: false, ct).ConfigureAwait(false);
        if (!connected.Ok) return connected;
        var facts = connected with { Stream = null, Socket = null, Http = null };
        var lease = new HttpUpstream(key, connected.Socket, connected.Stream!, facts, _pool, absoluteForm: true, extraHeaders: Fields(request))
        {
            IdleExpire = request.Http?.IdleExpire ?? TimeSpan.Zero,
            Uses = 1,
        };
        return facts with { Http = lease };
    }

    /// <summary>Reaches the proxy and, for a tunnel, has it CONNECT; within peer_negotiation_timeout.</summary>
    private async ValueTask<EscapeResult> NegotiateAsync(EscapeRequest request, UpstreamAddr proxy, bool connect, CancellationToken ct)
    {
        using var limit = new CancellationTokenSource(Config.PeerNegotiationTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        var started = _time.GetTimestamp();
        EscapeResult? connected = null;
        try
        {
            connected = await _dialer.ConnectAsync(request, proxy, linked.Token).ConfigureAwait(false);
            // A TLS handshake cut short by the limit reports a handshake failure: say what it was.
            if (!connected.Ok && limit.IsCancellationRequested && !ct.IsCancellationRequested) throw new OperationCanceledException(linked.Token);
            if (!connected.Ok || !connect) return connected;
            var reply = await HttpConnectHandshake.RunAsync(connected.Stream!, request.Target, Fields(request), Config.HttpConnectRspHeaderMaxSize, linked.Token)
                .ConfigureAwait(false);
            if (reply.Tunnel is { } tunnel) return connected with { Stream = tunnel };
            await connected.DisposeUpstreamAsync().ConfigureAwait(false);
            return connected.FailedWith(reply.Error, reply.Reason ?? reply.Error.ToString());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            if (connected is { Ok: true }) await connected.DisposeUpstreamAsync().ConfigureAwait(false);
            var reason = $"next proxy {proxy}: no answer within peer_negotiation_timeout {Config.PeerNegotiationTimeout.TotalMilliseconds:0}ms";
            return connected is null
                ? EscapeResult.Fail(EscapeErrorKind.ConnectTimeout, reason, 0, _time.GetElapsedTime(started))
                : connected.FailedWith(EscapeErrorKind.ConnectTimeout, reason);
        }
    }

    /// <summary>The next proxy username_params named for this escaper, else one from proxy_addr.</summary>
    private UpstreamAddr PickProxy(EscapeRequest request) =>
        request.Task.EgressPath?.SelectUpstream(Name)?.Addr
        ?? (_proxies.Count == 1 ? _proxies.Items[0].Value : _proxies.Pick(Config.ProxyAddrPickPolicy, SelectionKey.For(request)));

    private IReadOnlyList<KeyValuePair<string, string>> Fields(EscapeRequest request) =>
        Config.PassProxyUserid && request.UserName is { } user ? [BasicAuth(user, PassUseridPassword), .. Config.AppendHeaders] : _staticFields;

    internal static KeyValuePair<string, string> BasicAuth(string user, string password) =>
        new("Proxy-Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    public void Dispose()
    {
        _pool.Dispose();
        _dialer.Dispose();
    }
}
