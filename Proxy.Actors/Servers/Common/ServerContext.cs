using Proxy.Actors.Config.Servers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Stats;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.Common;

/// <summary>What every connection of one server shares, whatever its protocol: config, handles, logs, counters, idle checks.</summary>
public sealed class ServerContext : IDisposable
{
    public ServerContext(ServerConfig config, HandleRegistry<IEscaper> escapers, TaskLogger logger, ServerStats stats, TimeProvider time, HandleRegistry<IUserGroup>? userGroups = null,
        HandleRegistry<Audit.AuditorHandle>? auditors = null)
    {
        _userGroups = userGroups;
        _auditors = auditors;
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

    private readonly HandleRegistry<IUserGroup>? _userGroups;

    /// <summary>
    /// The server's <c>user_group</c> as published now (a reload publishes a new handle; each request
    /// asks again), or null when the server has none. A named group that does not exist acts as an
    /// empty one: every authentication fails, as in g3.
    /// </summary>
    public IUserGroup? UserGroup => Config.UserGroup is { } name && _userGroups is not null ? _userGroups.Get(name) : null;

    private readonly HandleRegistry<Audit.AuditorHandle>? _auditors;

    /// <summary>
    /// The server's <c>auditor</c> as published now, or null when the server names none. A named
    /// auditor that does not exist acts as one with g3's defaults (no TLS interception), as in g3.
    /// </summary>
    public Audit.AuditorHandle? Auditor => Config.Auditor is { } name && _auditors is not null ? _auditors.Get(name) : null;

    public void Dispose() => Idle.Dispose();
}
