using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
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
    // per request otherwise: a site's upstream as the task log names it, our Via field by pseudonym
    private readonly Dictionary<HttpRProxyHostConfig, string> _upstreamNames = new(ReferenceEqualityComparer.Instance);
    private readonly string? _serverVia;
    private Tuple<string, string>? _lastVia;

    public HttpRProxyServerContext(HttpRProxyServerConfig config, ServerContext server)
    {
        Config = config;
        Server = server;
        _global = config.GlobalTlsServer is { } global ? new TlsServerSetup(global) : null;
        foreach (var host in config.Hosts.Values)
        {
            if (host.TlsServer is { } tls) _sites.TryAdd(host, new TlsServerSetup(tls));
            if (host.Upstream is { } upstream) _upstreamNames.TryAdd(host, upstream.ToString());
        }
        _serverVia = config.ServerId is { } id ? "1.1 " + id : null;
    }

    public HttpRProxyServerConfig Config { get; }
    public ServerContext Server { get; }
    public TimeProvider Time => Server.Time;

    /// <summary>The site's upstream as the task log names it (made once per site).</summary>
    public string UpstreamName(HttpRProxyHostConfig site, UpstreamAddr upstream) =>
        _upstreamNames.TryGetValue(site, out var name) ? name : upstream.ToString();

    /// <summary>
    /// The Via value we add for <paramref name="pseudonym"/>: server_id's made once; a host's kept
    /// from the last request (a connection's requests name the same host), so it is not rebuilt per request.
    /// </summary>
    public string ViaFor(string pseudonym)
    {
        if (_serverVia is not null) return _serverVia;
        if (Volatile.Read(ref _lastVia) is { } last && last.Item1 == pseudonym) return last.Item2;
        var via = "1.1 " + pseudonym;
        Volatile.Write(ref _lastVia, Tuple.Create(pseudonym, via));
        return via;
    }

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
