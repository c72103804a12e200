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
    private readonly HttpUpstreamPool _pool;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, string>[] _staticFields;

    public ProxyHttpEscaper(ProxyHttpEscaperConfig config, HandleRegistry<IResolver> resolvers,
        ISocketConnector? connector = null, TimeProvider? time = null)
    {
        Config = config;
        _time = time ?? TimeProvider.System;
        _dialer = new NextProxyDialer(config, resolvers, connector, _time);
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
        var proxy = _dialer.PickProxy(request);
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
    private ValueTask<EscapeResult> NegotiateAsync(EscapeRequest request, UpstreamAddr proxy, bool connect, CancellationToken ct) =>
        _dialer.NegotiateAsync(request, proxy, connect ? (stream, token) => ConnectStep(request, stream, token) : null, ct);

    private async Task<(Stream?, EscapeErrorKind, string?)> ConnectStep(EscapeRequest request, Stream stream, CancellationToken ct)
    {
        var reply = await HttpConnectHandshake.RunAsync(stream, request.Target, Fields(request), Config.HttpConnectRspHeaderMaxSize, ct).ConfigureAwait(false);
        return (reply.Tunnel, reply.Error, reply.Reason);
    }

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
