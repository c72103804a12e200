using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Handles;

namespace Proxy.Actors.Escapers.Route;

/// <summary>
/// g3's <c>comply_audit</c>: names the auditor for the task (TaskNotes.Auditor, which the audit
/// stage reads in place of the server's auditor) and passes the request on to next.
/// </summary>
internal sealed class ComplyAuditEscaper(ComplyAuditEscaperConfig config, HandleRegistry<IEscaper> escapers, Stats.EscaperStats? stats = null)
    : RouteEscaper(config.Name, config.TypeName, escapers, stats)
{
    internal override string Select(EscapeRequest request)
    {
        request.Task.Auditor = config.Auditor;
        return config.Next;
    }
}
