using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Escapers.Proxy;

/// <summary>
/// Opens the connection to a next-hop proxy: TCP with direct_fixed's dialling (resolver, happy
/// eyeballs, tries, bind address per family, keepalive, speed limit, the PROXY protocol header
/// when configured), then TLS to the proxy for the TLS types (proxy_https, proxy_socks5s). No egress filter applies: the proxy
/// address is the operator's own choice, as in g3.
/// </summary>
/// <summary>What a chaining escaper does on a fresh connection to its next proxy (a CONNECT, a SOCKS5 exchange): the stream to go on with, or why not.</summary>
internal delegate Task<(Stream? Stream, EscapeErrorKind Error, string? Reason)> NextProxyStep(Stream connected, CancellationToken ct);

internal sealed class NextProxyDialer : IDisposable
{
    private readonly DirectFixedEscaper _tcp;
    private readonly NextProxyEscaperConfig _config;
    private readonly TimeProvider _time;

    public NextProxyDialer(NextProxyEscaperConfig config, HandleRegistry<IResolver> resolvers, ISocketConnector? connector, TimeProvider time,
        Stats.EscaperStats? stats = null)
    {
        _config = config;
        _time = time;
        var dial = new DirectFixedEscaperConfig
        {
            Name = config.Name,
            Position = config.Position,
            Resolver = config.Resolver,
            ResolveStrategy = config.ResolveStrategy,
            BindIp = new[] { config.BindIpv4, config.BindIpv6 }.OfType<IPAddress>().ToList(),
            BindIpPerFamily = true,
            NoIpv4 = config.NoIpv4,
            NoIpv6 = config.NoIpv6,
            TcpConnect = config.TcpConnect,
            HappyEyeballs = config.HappyEyeballs,
            EgressNetworkFilter = new NetworkAclRule([], AclAction.Permit),
            TcpSockSpeedLimit = config.TcpSockSpeedLimit,
            TcpKeepalive = config.TcpKeepalive,
            BindInterface = config.BindInterface,
            TcpMiscOpts = config.TcpMiscOpts,
            // g3 lets a user's tcp_remote_* options shape direct connections only
            UserRemoteOpts = false,
            UseProxyProtocol = config.UseProxyProtocol,
        };
        _tcp = new DirectFixedEscaper(dial, resolvers, connector, time, stats);
        _proxies = new SelectiveVector<UpstreamAddr>(config.ProxyAddr, a => a.ToString());
    }

    private readonly SelectiveVector<UpstreamAddr> _proxies;

    /// <summary>The next proxy username_params named for this escaper, else one from proxy_addr by proxy_addr_pick_policy over g3's hash key.</summary>
    public UpstreamAddr PickProxy(EscapeRequest request) =>
        request.Task.EgressPath?.SelectUpstream(_config.Name)?.Addr
        ?? (_proxies.Count == 1 ? _proxies.Items[0].Value : _proxies.Pick(_config.ProxyAddrPickPolicy, SelectionKey.For(request)));

    /// <summary>
    /// Reaches the proxy and runs <paramref name="step"/> on the connection, both within
    /// peer_negotiation_timeout (g3 bounds them together): running out is ConnectTimeout naming the
    /// limit; a failed step closes the connection and keeps its facts for the logs.
    /// </summary>
    public async ValueTask<EscapeResult> NegotiateAsync(EscapeRequest request, UpstreamAddr proxy, NextProxyStep? step, CancellationToken ct)
    {
        using var limit = new CancellationTokenSource(_config.PeerNegotiationTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        var started = _time.GetTimestamp();
        EscapeResult? connected = null;
        try
        {
            connected = await ConnectAsync(request, proxy, linked.Token).ConfigureAwait(false);
            // A TLS handshake cut short by the limit reports a handshake failure: say what it was.
            if (!connected.Ok && limit.IsCancellationRequested && !ct.IsCancellationRequested) throw new OperationCanceledException(linked.Token);
            if (!connected.Ok || step is null) return connected;
            var (stream, error, reason) = await step(connected.Stream!, linked.Token).ConfigureAwait(false);
            if (stream is not null) return connected with { Stream = stream };
            await connected.DisposeUpstreamAsync().ConfigureAwait(false);
            return connected.FailedWith(error, reason ?? error.ToString());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            if (connected is { Ok: true }) await connected.DisposeUpstreamAsync().ConfigureAwait(false);
            var reason = $"next proxy {proxy}: no answer within peer_negotiation_timeout {_config.PeerNegotiationTimeout.TotalMilliseconds:0}ms";
            return connected is null
                ? EscapeResult.Fail(EscapeErrorKind.ConnectTimeout, reason, 0, _time.GetElapsedTime(started))
                : connected.FailedWith(EscapeErrorKind.ConnectTimeout, reason);
        }
    }

    public async ValueTask<EscapeResult> ConnectAsync(EscapeRequest request, UpstreamAddr proxy, CancellationToken ct)
    {
        var tcp = await _tcp.EscapeAsync(new EscapeRequest(request.Task, proxy, EscapeWant.Tcp), ct).ConfigureAwait(false);
        if (!tcp.Ok) return tcp with { Reason = $"connect to next proxy {proxy}: {tcp.Reason}" };
        var stream = tcp.Stream!;
        if (_config.TlsClient is { } tls)
        {
            var (ssl, error) = await TlsClientHandshake.ConnectAsync(stream, _config.TlsName ?? proxy.Host, tls, _time, ct).ConfigureAwait(false);
            if (ssl is null)
            {
                tcp.Socket?.Dispose();
                return tcp.FailedWith(EscapeErrorKind.TlsHandshakeFailed, $"tls handshake with next proxy {proxy}: {error}");
            }
            stream = ssl;
        }
        // The connection reaches the next proxy, not the target: no chained info of this hop's own.
        return tcp with { Stream = stream, ChainedTargetAddr = null, ChainedOutgoingAddr = null };
    }

    public void Dispose() => _tcp.Dispose();
}
