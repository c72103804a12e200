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
internal sealed class NextProxyDialer : IDisposable
{
    private readonly DirectFixedEscaper _tcp;
    private readonly NextProxyEscaperConfig _config;
    private readonly TimeProvider _time;

    public NextProxyDialer(NextProxyEscaperConfig config, HandleRegistry<IResolver> resolvers, ISocketConnector? connector, TimeProvider time)
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
            UseProxyProtocol = config.UseProxyProtocol,
        };
        _tcp = new DirectFixedEscaper(dial, resolvers, connector, time);
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
        return tcp with { Stream = stream };
    }

    public void Dispose() => _tcp.Dispose();
}
