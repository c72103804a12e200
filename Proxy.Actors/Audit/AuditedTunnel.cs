using Proxy.Actors.Audit.Inspect;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Audit;

/// <summary>
/// The one place a tunnel's relay meets the auditor, called by every server that takes
/// <c>auditor:</c> once its upstream is connected: the plain <see cref="TunnelRelay"/> when the task
/// is not audited (no auditor, the user's switch off, the ratio said no), else protocol inspection.
/// </summary>
internal static class AuditedTunnel
{
    public static Task<RelayEnd> RunAsync(
        ServerContext server, UpstreamAddr upstream, RelayEndpoint client, RelayEndpoint remote,
        RelayOptions options, TaskNotes notes, ActivityTracker activity)
    {
        if (server.Auditor is not { } auditor || !auditor.ShouldInspectTunnel(options.User, Random.Shared.NextDouble))
            return TunnelRelay.RunAsync(client, remote, options, notes.Bytes, activity);
        notes.Intercepted = true;
        var audit = new TunnelAudit(auditor, options.User, upstream, options, notes, activity, server.Logger);
        return StreamInspector.RunAsync(audit, client, remote, depth: 0);
    }
}
