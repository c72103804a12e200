using Proxy.Actors.Config.Servers;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>Everything one http_proxy server's connection tasks share: the typed config and the server's common context.</summary>
public sealed class HttpProxyServerContext(HttpProxyServerConfig config, ServerContext server)
{
    public HttpProxyServerConfig Config { get; } = config;
    public ServerContext Server { get; } = server;
    public TimeProvider Time => Server.Time;
}
