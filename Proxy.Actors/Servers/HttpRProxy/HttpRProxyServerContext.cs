using Proxy.Actors.Config.Servers;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Servers.HttpRProxy;

/// <summary>
/// What one http_rproxy server's connections share: the typed config, the server's common
/// context, and every site's TLS certificates loaded once.
/// </summary>
internal sealed class HttpRProxyServerContext
{
    private readonly TlsServerSetup? _global;
    private readonly Dictionary<HttpRProxyHostConfig, TlsServerSetup> _sites = [];

    public HttpRProxyServerContext(HttpRProxyServerConfig config, ServerContext server)
    {
        Config = config;
        Server = server;
        _global = config.GlobalTlsServer is { } global ? new TlsServerSetup(global) : null;
        foreach (var host in config.Hosts.Values)
            if (host.TlsServer is { } tls) _sites.TryAdd(host, new TlsServerSetup(tls));
    }

    public HttpRProxyServerConfig Config { get; }
    public ServerContext Server { get; }
    public TimeProvider Time => Server.Time;

    /// <summary>
    /// The certificates for a ClientHello's server name, as g3 picks them: the matched site's
    /// (no SNI: the default site's), else global_tls_server; null drops the connection.
    /// </summary>
    public TlsServerSetup? TlsFor(string? serverName)
    {
        var site = serverName is null ? Config.Hosts.Default : Config.Hosts.Get(serverName);
        return site is not null && _sites.TryGetValue(site, out var own) ? own : _global;
    }
}
