using Proxy.Actors.Config.Servers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Servers.Common;

/// <summary>What every connection of one server shares, whatever its protocol: config, handles, logs, counters, idle checks.</summary>
public sealed class ServerContext : IDisposable
{
    public ServerContext(ServerConfig config, HandleRegistry<IEscaper> escapers, TaskLogger logger, ServerStats stats, TimeProvider time)
    {
        Config = config;
        Escapers = escapers;
        Logger = logger;
        Stats = stats;
        Time = time;
        Idle = new IdleWatcher(config.TaskIdleCheckInterval, config.TaskIdleMaxCount, time);
    }

    public ServerConfig Config { get; }
    public string Name => Config.Name;
    public HandleRegistry<IEscaper> Escapers { get; }
    public TaskLogger Logger { get; }
    public ServerStats Stats { get; }
    public TimeProvider Time { get; }
    public IdleWatcher Idle { get; }

    public void Dispose() => Idle.Dispose();
}
