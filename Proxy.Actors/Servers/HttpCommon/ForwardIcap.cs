using Proxy.Actors.Audit;
using Proxy.Actors.Audit.Icap;
using Proxy.Actors.Servers.Common;

namespace Proxy.Actors.Servers.HttpCommon;

/// <summary>The ICAP services one audited forward exchange goes through, and who it is for.</summary>
internal sealed record ForwardIcap(IcapClient? Reqmod, IcapClient? Respmod, IcapCall Call)
{
    /// <summary>
    /// g3's http_proxy adapts a forwarded request when the server's auditor has an ICAP service and
    /// the task is audited (<see cref="AuditorHandle.ShouldAuditTask"/>); null otherwise.
    /// </summary>
    public static ForwardIcap? For(ServerContext server, ClientConnection client, TimeSpan wait)
    {
        if (server.Auditor is not { } auditor || (auditor.IcapReqmod ?? auditor.IcapRespmod) is null) return null;
        if (!auditor.ShouldAuditTask(client.User?.User, Random.Shared.NextDouble)) return null;
        var call = new IcapCall(client.ClientAddr, client.User?.User.Name, wait) { Activity = client.Activity };
        return new ForwardIcap(auditor.IcapReqmod, auditor.IcapRespmod, call);
    }
}
