using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Auditors;

/// <summary>Builds <see cref="AuditorConfig"/> from one <c>auditor</c> entry, with g3's keys and aliases.</summary>
internal static class AuditorParser
{
    private static readonly KeyTable<AuditorConfig> Keys = new KeyTable<AuditorConfig>()
        .Skip("name")
        .On("protocol_inspection", (c, v, _) => c with { ProtocolInspection = DpiParsers.ProtocolInspection(v) })
        .On("server_tcp_portmap", (c, v, _) => c with { ServerTcpPortmap = DpiParsers.Portmap(c.ServerTcpPortmap, v) })
        .On("client_tcp_portmap", (c, v, _) => c with { ClientTcpPortmap = DpiParsers.Portmap(c.ClientTcpPortmap, v) })
        .On("tls_cert_agent|tls_cert_generator", (c, v, _) => c with { TlsCertAgent = TlsAuditParsers.CertAgent(v) })
        // The value is still read (a typo is reported as the typo), then the key is refused.
        .On("tls_ticketer", (_, v, _, key, k) => { TlsAuditParsers.Ticketer(v); throw TlsTicketerRefusal.At(key, k); })
        .On("tls_interception_client", (c, v, s) => c with { TlsInterceptionClient = TlsAuditParsers.InterceptionClient(v, s) })
        .On("tls_interception_server", (c, v, _) => c with { TlsInterceptionServer = TlsAuditParsers.InterceptionServer(v) })
        .On("tls_stream_dump", (c, v, _) => c with { TlsStreamDump = TlsAuditParsers.StreamDump(v) })
        .On("log_uri_max_chars|uri_log_max_chars", (c, v, _) => c with { LogUriMaxChars = YamlValue.Int32(v) })
        .On("h1_interception", (c, v, _) => c with { H1Interception = InterceptionParsers.H1(v) })
        .On("h2_inspect_policy", (c, v, _) => c with { H2InspectPolicy = DpiParsers.Policy(v) })
        .On("h2_interception", (c, v, _) => c with { H2Interception = InterceptionParsers.H2(v) })
        .On("websocket_inspect_policy", (c, v, _) => c with { WebsocketInspectPolicy = DpiParsers.Policy(v) })
        .On("smtp_inspect_policy", (c, v, _) => c with { SmtpInspectPolicy = DpiParsers.Policy(v) })
        .On("smtp_interception", (c, v, _) => c with { SmtpInterception = InterceptionParsers.Smtp(v) })
        .On("imap_inspect_policy", (c, v, _) => c with { ImapInspectPolicy = DpiParsers.Policy(v) })
        .On("imap_interception", (c, v, _) => c with { ImapInterception = InterceptionParsers.Imap(v) })
        .On("icap_reqmod_service", (c, v, s) => c with { IcapReqmodService = IcapServiceParser.FromYaml(v, IcapMethod.Reqmod, s) })
        .On("icap_respmod_service", (c, v, s) => c with { IcapRespmodService = IcapServiceParser.FromYaml(v, IcapMethod.Respmod, s) })
        .On("stream_detour_service", (_, _, _, _, k) => throw new NotSupportedYetException(DpiParsers.DetourReason("stream_detour_service"), k))
        .On("task_audit_ratio|application_audit_ratio", (c, v, _) => c with { TaskAuditRatio = RandomRatio.FromYaml(v) });

    public static AuditorConfig Parse(string name, YamlMappingNode map, ConfigPosition position, EntryScope scope) =>
        Keys.Apply(new AuditorConfig { Name = name, Position = position }, map, scope);
}
