using Proxy.Actors.Audit.CertAgent;
using Proxy.Actors.Audit.Icap;
using Proxy.Actors.Audit.Inspect;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Users;

namespace Proxy.Actors.Audit;

/// <summary>
/// One auditor as connection tasks see it: its config, its certificate agent (only with
/// <c>tls_cert_agent</c>: no agent, no TLS interception, as in g3), and the gating that decides
/// whether a tunnel is inspected at all (docs/audit.md, "When is a task audited?").
/// </summary>
public sealed class AuditorHandle : IDisposable
{
    public AuditorHandle(AuditorConfig config, TimeProvider time)
    {
        Config = config;
        Time = time;
        CertAgent = config.TlsCertAgent is { } agent ? new TlsCertAgent(agent, time) : null;
        IcapReqmod = config.IcapReqmodService is { } reqmod ? new IcapClient(reqmod, time) : null;
        IcapRespmod = config.IcapRespmodService is { } respmod ? new IcapClient(respmod, time) : null;
        StreamDumper = config.TlsStreamDump is { } dump ? new Dump.StreamDumper(dump) : null;
        H2Server = new H2InterceptServer(config.H2Interception);
    }

    /// <summary>g3 makes a default auditor for a name that does not exist: inspection runs, nothing is intercepted.</summary>
    public static AuditorHandle Empty(string name, TimeProvider time) =>
        new(new AuditorConfig { Name = name, Position = new ConfigPosition("(default)", 0) }, time);

    public AuditorConfig Config { get; }
    public TimeProvider Time { get; }
    public TlsCertAgent? CertAgent { get; }
    /// <summary>icap_reqmod_service / icap_respmod_service: null when not configured.</summary>
    public IcapClient? IcapReqmod { get; }
    public IcapClient? IcapRespmod { get; }

    /// <summary>tls_stream_dump: decrypted streams of intercepted TLS to a udpdump peer.</summary>
    public Dump.StreamDumper? StreamDumper { get; }

    /// <summary>The HTTP/2 server of h2 interception; it starts with the first intercepted h2 connection.</summary>
    internal H2InterceptServer H2Server { get; }

    /// <summary>
    /// g3's gating for a tunnel (http_proxy CONNECT, socks_proxy CONNECT): without a user the
    /// auditor's task_audit_ratio decides; with one, only when the user's
    /// <c>audit.enable_protocol_inspection</c> is on, then the user's ratio if set, else the auditor's.
    /// </summary>
    public bool ShouldInspectTunnel(User? user, Func<double> random)
    {
        if (user is null) return Sample(Config.TaskAuditRatio, random);
        var audit = user.Config.Audit;
        return audit.EnableProtocolInspection && Sample(audit.TaskAuditRatio ?? Config.TaskAuditRatio, random);
    }

    /// <summary>
    /// g3's gating for an http_proxy forwarded request (ICAP REQMOD/RESPMOD): the user's
    /// <c>audit.task_audit_ratio</c> if set, else the auditor's; the inspection switch plays no part.
    /// </summary>
    public bool ShouldAuditTask(User? user, Func<double> random) =>
        Sample(user?.Config.Audit.TaskAuditRatio ?? Config.TaskAuditRatio, random);

    /// <summary>Ratio 1 and 0 decide without drawing, as g3's random ratio does.</summary>
    private static bool Sample(double ratio, Func<double> random) => ratio >= 1 || (ratio > 0 && random() < ratio);

    public void Dispose()
    {
        // The agent's receive loop ends when its socket closes; nobody waits for it on the actor's stop.
        if (CertAgent is { } agent) _ = agent.DisposeAsync().AsTask();
        // Idle ICAP connections close; exchanges still running finish on the connection they hold.
        if (IcapReqmod is { } reqmod) _ = reqmod.DisposeAsync().AsTask();
        if (IcapRespmod is { } respmod) _ = respmod.DisposeAsync().AsTask();
        if (StreamDumper is { } dumper) _ = dumper.DisposeAsync().AsTask();
        _ = H2Server.DisposeAsync().AsTask();
    }
}
