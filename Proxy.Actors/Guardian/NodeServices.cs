using System.Collections.Concurrent;
using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Resolvers;
using Proxy.Actors.Servers;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Stats;
using Proxy.Actors.Users;

namespace Proxy.Actors.Guardian;

/// <summary>
/// What the composition root holds for the node: the published handles of every family, the task
/// logger, the clock and the counters. Only the guardian (and the host that starts it) sees all of
/// it; each actor it spawns gets the few parts it uses. One instance per node, never static.
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
        Auditors = new HandleRegistry<Audit.AuditorHandle>(name => Audit.AuditorHandle.Empty(name, Time));
        Servers = new HandleRegistry<ServerEntry>(name => throw new InvalidOperationException($"no server '{name}'"));
    }

    public TaskLogger Logger { get; }
    public TimeProvider Time { get; }
    public HandleRegistry<IResolver> Resolvers { get; }
    public HandleRegistry<IEscaper> Escapers { get; }
    /// <summary>A missing group acts as an empty one (every authentication fails), as in g3.</summary>
    public HandleRegistry<IUserGroup> UserGroups { get; }
    /// <summary>A missing auditor acts as one with g3's defaults (inspection, no interception), as in g3.</summary>
    public HandleRegistry<Audit.AuditorHandle> Auditors { get; }
    /// <summary>Running servers, for port servers that hand connections on by name.</summary>
    public HandleRegistry<ServerEntry> Servers { get; }
    public ConcurrentDictionary<string, ServerStats> ServerStats { get; } = new();
    /// <summary>The control actor (Proxy.Control) the guardian spawns as <c>control</c>; none in tests that do not need it.</summary>
    public Akka.Actor.Props? ControlProps { get; set; }
    /// <summary>Escaper counters by escaper name; a reload counts on into the same object.</summary>
    public ConcurrentDictionary<string, EscaperStats> EscaperStats { get; } = new();
    /// <summary>Resolver counters by resolver name; a reload counts on into the same object.</summary>
    public ConcurrentDictionary<string, ResolverStats> ResolverStats { get; } = new();

    /// <summary>What a server actor gets.</summary>
    public ServerDeps ServerDeps => new(Escapers, Servers, Logger, Time, UserGroups, Auditors);
}
