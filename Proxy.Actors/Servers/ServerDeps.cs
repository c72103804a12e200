using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Logging;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers;

/// <summary>What a server needs from the node: the escaper handles, the other servers (for hand-offs), the task log, the clock, the user groups and the auditors.</summary>
public sealed record ServerDeps(
    HandleRegistry<IEscaper> Escapers,
    HandleRegistry<ServerEntry> Servers,
    TaskLogger Logger,
    TimeProvider Time,
    HandleRegistry<IUserGroup>? UserGroups = null,
    HandleRegistry<Audit.AuditorHandle>? Auditors = null);
