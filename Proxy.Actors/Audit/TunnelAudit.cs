using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Users;

namespace Proxy.Actors.Audit;

/// <summary>Everything one audited tunnel's inspection needs, made once per task when the gating selects it.</summary>
internal sealed record TunnelAudit(
    AuditorHandle Auditor,
    User? User,
    UpstreamAddr Upstream,
    RelayOptions Options,
    TaskNotes Notes,
    ActivityTracker Activity,
    TaskLogger Logger)
{
    public TimeProvider Time => Options.Time;
    public CancellationToken Token => Activity.Token;
}
