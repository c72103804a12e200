using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Cache;
using Proxy.Actors.Resolvers.Wire;

namespace Proxy.Actors.Resolvers.Hickory;

/// <summary>
/// g3's <c>hickory</c> resolver: plain DNS (UDP, TCP on truncation), DNS over TLS or DNS over
/// HTTPS to the configured servers (<see cref="HickoryDriver"/>), behind g3's cache. The
/// published handle; a reload publishes a new one and the old one's connections close with it.
/// </summary>
public sealed class HickoryResolver : IResolver, IDisposable
{
    private readonly IReadOnlyList<IDnsExchange> _servers;
    private readonly ResolverCache _cache;

    public HickoryResolver(HickoryResolverConfig config, TimeProvider? time = null, Stats.ResolverStats? stats = null)
    {
        Config = config;
        var clock = time ?? TimeProvider.System;
        _servers = config.Servers.Select(ip => Exchange(config, new IPEndPoint(ip, config.Port), clock)).ToArray();
        _cache = new ResolverCache(
            new HickoryDriver(_servers, config, clock).QueryAsync,
            new CacheTtlPolicy(config.PositiveMinTtl, config.PositiveMaxTtl, config.NegativeMinTtl),
            config.ProtectiveQueryTimeout,
            clock,
            stats: stats);
    }

    public HickoryResolverConfig Config { get; }

    public string Name => Config.Name;

    public ValueTask<ResolveResult> ResolveAsync(string host, AddressFamily family, CancellationToken ct) =>
        _cache.GetAsync(host, family, ct);

    private static IDnsExchange Exchange(HickoryResolverConfig c, IPEndPoint server, TimeProvider time)
    {
        var setup = new DnsSocketSetup(c.BindIp, c.BindInterface, c.TcpMiscOpts, c.UdpMiscOpts);
        return c.Encryption switch
        {
            null => new PlainDnsExchange(server, setup, c.RequestTimeout, c.ConnectTimeout, time),
            { Protocol: DnsEncryptionProtocol.Tls } e => new TlsDnsExchange(server, setup, e, c.ConnectTimeout, c.RequestTimeout, time),
            { } e => new HttpsDnsExchange(server, setup, e, c.ConnectTimeout, c.RequestTimeout, time),
        };
    }

    public void Dispose()
    {
        foreach (var s in _servers) (s as IDisposable)?.Dispose();
    }
}
