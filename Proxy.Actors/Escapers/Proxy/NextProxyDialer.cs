using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Protocols.ProxyProtocol;
using Proxy.Actors.Relay;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Escapers.Proxy;

/// <summary>How a chaining escaper reaches its next proxy.</summary>
internal sealed record NextProxyOptions
{
    public required string Name { get; init; }
    public required ConfigPosition Position { get; init; }
    public string? Resolver { get; init; }
    public ResolveStrategy ResolveStrategy { get; init; } = ResolveStrategy.Default;
    public IPAddress? BindIpv4 { get; init; }
    public IPAddress? BindIpv6 { get; init; }
    public bool NoIpv4 { get; init; }
    public bool NoIpv6 { get; init; }
    public TcpConnectConfig TcpConnect { get; init; } = TcpConnectConfig.Default;
    public HappyEyeballsConfig HappyEyeballs { get; init; } = HappyEyeballsConfig.Default;
    public TcpSockSpeedLimit TcpSockSpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    public TimeSpan? TcpKeepalive { get; init; }
    public int? ProxyProtocol { get; init; }
    public TlsClientConfig? Tls { get; init; }
    public string? TlsName { get; init; }

    public static NextProxyOptions From(ProxyHttpEscaperConfig c) => new()
    {
        Name = c.Name, Position = c.Position, Resolver = c.Resolver, ResolveStrategy = c.ResolveStrategy,
        BindIpv4 = c.BindIpv4, BindIpv6 = c.BindIpv6, NoIpv4 = c.NoIpv4, NoIpv6 = c.NoIpv6,
        TcpConnect = c.TcpConnect, HappyEyeballs = c.HappyEyeballs, TcpSockSpeedLimit = c.TcpSockSpeedLimit,
        TcpKeepalive = c.TcpKeepalive, ProxyProtocol = c.UseProxyProtocol, Tls = c.Https ? c.TlsClient : null, TlsName = c.TlsName,
    };
}

/// <summary>
/// Opens the connection to a next-hop proxy: TCP with direct_fixed's dialling (resolver, happy
/// eyeballs, tries, bind address per family, keepalive, speed limit), then the PROXY protocol
/// header when configured, then TLS to the proxy for the *s types. No egress filter applies: the
/// proxy address is the operator's own choice, as in g3.
/// </summary>
internal sealed class NextProxyDialer : IDisposable
{
    private readonly DirectFixedEscaper _tcp;
    private readonly NextProxyOptions _options;
    private readonly TimeProvider _time;

    public NextProxyDialer(NextProxyOptions options, HandleRegistry<IResolver> resolvers, ISocketConnector? connector, TimeProvider time)
    {
        _options = options;
        _time = time;
        var dial = new DirectFixedEscaperConfig
        {
            Name = options.Name,
            Position = options.Position,
            Resolver = options.Resolver,
            ResolveStrategy = options.ResolveStrategy,
            BindIp = new[] { options.BindIpv4, options.BindIpv6 }.OfType<IPAddress>().ToList(),
            BindIpPerFamily = true,
            NoIpv4 = options.NoIpv4,
            NoIpv6 = options.NoIpv6,
            TcpConnect = options.TcpConnect,
            HappyEyeballs = options.HappyEyeballs,
            EgressNetworkFilter = new NetworkAclRule([], AclAction.Permit),
            TcpSockSpeedLimit = options.TcpSockSpeedLimit,
            TcpKeepalive = options.TcpKeepalive,
        };
        _tcp = new DirectFixedEscaper(dial, resolvers, connector, time);
    }

    public async ValueTask<EscapeResult> ConnectAsync(EscapeRequest request, UpstreamAddr proxy, CancellationToken ct)
    {
        var tcp = await _tcp.EscapeAsync(new EscapeRequest(request.Task, proxy, EscapeWant.Tcp), ct).ConfigureAwait(false);
        if (!tcp.Ok) return tcp with { Reason = $"connect to next proxy {proxy}: {tcp.Reason}" };
        var stream = tcp.Stream!;
        if (_options.ProxyProtocol is { } version)
        {
            try
            {
                await stream.WriteAsync(ProxyHeader(version, request), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IoErrors.IsExpected(e))
            {
                await tcp.DisposeUpstreamAsync().ConfigureAwait(false);
                return tcp.FailedWith(EscapeErrorKind.ConnectFailed, $"write PROXY header to next proxy {proxy} failed: {e.Message}");
            }
        }
        if (_options.Tls is { } tls)
        {
            var (ssl, error) = await TlsClientHandshake.ConnectAsync(stream, _options.TlsName ?? proxy.Host, tls, _time, ct).ConfigureAwait(false);
            if (ssl is null)
            {
                tcp.Socket?.Dispose();
                return tcp.FailedWith(EscapeErrorKind.TlsHandshakeFailed, $"tls handshake with next proxy {proxy}: {error}");
            }
            stream = ssl;
        }
        return tcp with { Stream = stream };
    }

    /// <summary>The client as the PROXY source and the address it reached us on as destination (g3's order).</summary>
    private static byte[] ProxyHeader(int version, EscapeRequest request)
    {
        var (client, server) = (request.ClientAddr, request.Task.ServerAddr);
        if (version == 1)
            return client is null || server is null ? ProxyProtocolV1Writer.WriteUnknown() : ProxyProtocolV1Writer.Write(client, server);
        if (client is not null && server is not null) return ProxyProtocolV2Writer.Build(client, server);
        var local = new System.Buffers.ArrayBufferWriter<byte>();
        ProxyProtocolV2Writer.WriteLocal(local);
        return local.WrittenSpan.ToArray();
    }

    public void Dispose() => _tcp.Dispose();
}
