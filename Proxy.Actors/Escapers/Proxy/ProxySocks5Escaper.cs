using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Proxy;

/// <summary>
/// g3's <c>proxy_socks5</c> and <c>proxy_socks5s</c>: every request goes through a next-hop SOCKS5
/// proxy picked from proxy_addr (over TLS for socks5s). TCP, TLS and HTTP-forward upstreams are a
/// SOCKS5 CONNECT (a domain target is sent as a name, ATYP 3, for the next proxy to resolve); the
/// node then does TLS itself through <see cref="UpstreamCompletion"/>. UDP is the next proxy's UDP
/// ASSOCIATE (<see cref="Socks5UdpUpstream"/>). peer_negotiation_timeout bounds reaching the proxy
/// and its answers, as in g3.
/// </summary>
public sealed class ProxySocks5Escaper : IEscaper, IDisposable
{
    private static readonly UpstreamAddr Unspecified4 = new("0.0.0.0", 0);

    private readonly NextProxyDialer _dialer;
    private readonly TimeProvider _time;

    public ProxySocks5Escaper(ProxySocks5EscaperConfig config, HandleRegistry<IResolver> resolvers,
        ISocketConnector? connector = null, TimeProvider? time = null)
    {
        Config = config;
        _time = time ?? TimeProvider.System;
        _dialer = new NextProxyDialer(config, resolvers, connector, _time);
    }

    public ProxySocks5EscaperConfig Config { get; }
    public string Name => Config.Name;
    public string TypeName => Config.TypeName;

    public async ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        var proxy = _dialer.PickProxy(request);
        if (request.Want == EscapeWant.Udp) return await UdpAsync(request, proxy, ct).ConfigureAwait(false);
        var tunnel = await NegotiateAsync(request, proxy, Socks5Command.Connect, request.Target, ct).ConfigureAwait(false);
        // g3 echoes the proxy's bound address as this chain's outgoing address.
        var result = tunnel.Bound?.Ip is { } outIp ? tunnel.Result with { ChainedOutgoingAddr = new IPEndPoint(outIp, tunnel.Bound.Port) } : tunnel.Result;
        return await UpstreamCompletion.CompleteAsync(request, result, pool: null, _time, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The next proxy's UDP ASSOCIATE: a local UDP socket on the IP the control connection left from,
    /// connected to the relay address the proxy names (its unspecified IP, or any IP when
    /// transmute_udp_peer_ip says so, replaced by the proxy's own IP).
    /// </summary>
    private async ValueTask<EscapeResult> UdpAsync(EscapeRequest request, UpstreamAddr proxy, CancellationToken ct)
    {
        var negotiated = await NegotiateAsync(request, proxy, Socks5Command.UdpAssociate, null, ct).ConfigureAwait(false);
        var control = negotiated.Result;
        if (!control.Ok) return control;
        Socket? socket = null;
        try
        {
            var local = control.BoundAddr?.Address ?? IPAddress.Any;
            var proxyIp = control.PeerAddr?.Address ?? IPAddress.Loopback;
            var relay = RelayAddr(negotiated.Bound!, proxyIp);
            socket = new Socket(relay.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(local.AddressFamily == relay.AddressFamily ? local : relay.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
            request.UdpSocketBuffer?.ApplyTo(socket);
            Sockets.SocketOptions.ApplyUdp(socket, Config.UdpMiscOpts);
            await socket.ConnectAsync(relay, ct).ConfigureAwait(false);
            var udp = new Socks5UdpUpstream(socket, control.Stream!, control.Socket, Config.EndOnControlClosed, Config.UdpSockSpeedLimit, _time);
            socket = null;
            return control with
            {
                Stream = null,
                Socket = null,
                Udp = udp,
                // The relay's replies name their source; a UDP-connect task to an IP hears only from it.
                PeerAddr = request.Target.Ip is { } ip ? new IPEndPoint(ip, request.Target.Port) : null,
                BoundAddr = udp.BoundAddr,
            };
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            socket?.Dispose();
            await control.DisposeUpstreamAsync().ConfigureAwait(false);
            var why = e is SocketException se ? se.SocketErrorCode.ToString() : "udp_misc_opts." + e.Message;
            return control.FailedWith(EscapeErrorKind.ConnectFailed, $"udp socket to next proxy {proxy}'s relay: {why}");
        }
    }

    /// <summary>g3's transmute_udp_peer_addr: the relay address to send to.</summary>
    private IPEndPoint RelayAddr(UpstreamAddr bound, IPAddress proxyIp)
    {
        var named = bound.Ip ?? proxyIp;
        if (named.IsIPv4MappedToIPv6) named = named.MapToIPv4();
        if (proxyIp.IsIPv4MappedToIPv6) proxyIp = proxyIp.MapToIPv4();
        IPAddress ip = Config.TransmuteUdpPeerIp is { } map
            ? map.GetValueOrDefault(named, proxyIp)
            : named.Equals(IPAddress.Any) || named.Equals(IPAddress.IPv6Any) ? proxyIp : named;
        return new IPEndPoint(ip, bound.Port);
    }

    /// <summary>Reaches the proxy and runs the SOCKS5 exchange, within peer_negotiation_timeout; the reply's bound address with it.</summary>
    private async ValueTask<(EscapeResult Result, UpstreamAddr? Bound)> NegotiateAsync(
        EscapeRequest request, UpstreamAddr proxy, Socks5Command command, UpstreamAddr? target, CancellationToken ct)
    {
        UpstreamAddr? bound = null;
        var result = await _dialer.NegotiateAsync(request, proxy, async (stream, token) =>
        {
            // For UDP ASSOCIATE: where datagrams will come from is not known before the relay is named.
            var reply = await Socks5Handshake.RunAsync(stream, command, target ?? Unspecified4, Config.ProxyUsername, Config.ProxyPassword, token)
                .ConfigureAwait(false);
            bound = reply.Bound;
            return (reply.Stream, reply.Error, reply.Ok ? null : $"next proxy {proxy}: {reply.Reason}");
        }, ct).ConfigureAwait(false);
        return (result, result.Ok ? bound : null);
    }

    public void Dispose() => _dialer.Dispose();
}
