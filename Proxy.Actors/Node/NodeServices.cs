using System.Collections.Concurrent;
using System.Net;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Stats;
using Proxy.Actors.Users;

namespace Proxy.Actors.Node;

/// <summary>
/// What the node's actors share with the data plane: the published handles, the task logger,
/// per-server counters and what each server listens on. One instance per node, never static.
/// </summary>
public sealed class NodeServices
{
    public NodeServices(TaskLogger logger, TimeProvider? time = null)
    {
        Logger = logger;
        Time = time ?? TimeProvider.System;
        Resolvers = new HandleRegistry<IResolver>(name => new DenyAllResolver(name));
        Escapers = new HandleRegistry<IEscaper>(name => new DummyDenyEscaper(name));
        UserGroups = new HandleRegistry<IUserGroup>(name => UserGroupFactory.Empty(name, Time));
    }

    public TaskLogger Logger { get; }
    public TimeProvider Time { get; }
    public HandleRegistry<IResolver> Resolvers { get; }
    public HandleRegistry<IEscaper> Escapers { get; }
    /// <summary>A missing group acts as an empty one (every authentication fails), as in g3.</summary>
    public HandleRegistry<IUserGroup> UserGroups { get; }
    public ConcurrentDictionary<string, ServerStats> ServerStats { get; } = new();
    public ConcurrentDictionary<string, IReadOnlyList<IPEndPoint>> Listening { get; } = new();
}
