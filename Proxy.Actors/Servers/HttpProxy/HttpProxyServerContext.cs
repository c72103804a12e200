using Proxy.Actors.Config.Servers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Handles;
using Proxy.Actors.Relay;
using Proxy.Actors.Stats;

using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Servers.HttpProxy;

/// <summary>Everything one http_proxy server's connection tasks share: config, handles, pool, counters.</summary>
public sealed class HttpProxyServerContext : IAsyncDisposable
{
    public HttpProxyServerContext(
        HttpProxyServerConfig config,
        HandleRegistry<IEscaper> escapers,
        TaskLogger logger,
        ServerStats stats,
        TimeProvider time)
    {
        Config = config;
        Escapers = escapers;
        Logger = logger;
        Stats = stats;
        Time = time;
        Pool = new UpstreamPool(config.UpstreamKeepaliveIdleExpire, time);
        Idle = new IdleWatcher(config.TaskIdleCheckInterval, config.TaskIdleMaxCount, time);
    }

    public HttpProxyServerConfig Config { get; }
    public HandleRegistry<IEscaper> Escapers { get; }
    public TaskLogger Logger { get; }
    public ServerStats Stats { get; }
    public TimeProvider Time { get; }
    internal UpstreamPool Pool { get; }
    public IdleWatcher Idle { get; }

    public async ValueTask DisposeAsync()
    {
        Idle.Dispose();
        await Pool.DisposeAsync().ConfigureAwait(false);
    }
}
