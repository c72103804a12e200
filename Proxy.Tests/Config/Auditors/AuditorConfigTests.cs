using System.Net;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Auditors;
using Proxy.Actors.Config.Loading;
using YamlDotNet.RepresentationModel;

namespace Proxy.Tests.Config.Auditors;

/// <summary>The <c>auditor:</c> module: every g3 key parsed into records, refusals that name file, line, entry and key.</summary>
public sealed class AuditorConfigTests
{
    private static AuditorConfig LoadOne(string auditorYaml)
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", "auditor:\n" + auditorYaml);
        return Assert.Single(ConfigLoader.Load(Path.Combine(dir.Root, "main.yml")).Auditors);
    }

    private static ConfigException Refused(string auditorYaml)
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", "auditor:\n" + auditorYaml);
        return Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.Combine(dir.Root, "main.yml")));
    }

    [Fact]
    public void EmptyAuditor_HasG3Defaults_AndNoInterception()
    {
        var a = LoadOne("  - name: default\n");

        Assert.Equal("default", a.Name);
        Assert.Null(a.TlsCertAgent);
        Assert.Equal(1.0, a.TaskAuditRatio);
        Assert.Equal(1024, a.LogUriMaxChars);
        Assert.Equal(4, a.ProtocolInspection.InspectMaxDepth);
        Assert.Equal(TimeSpan.FromSeconds(60), a.ProtocolInspection.Data0WaitTimeout);
        Assert.Equal(InspectAction.Intercept, a.H2InspectPolicy.Check("any.example.com"));
        Assert.Equal(["http"], a.ServerTcpPortmap.Get(80)!.Protocols);
        Assert.True(a.ServerTcpPortmap.Get(443)!.CheckTls);
        Assert.Equal(["bittorrent"], a.ClientTcpPortmap.Get(6881)!.Protocols);
    }

    [Fact]
    public void EveryKey_IsParsed()
    {
        var a = LoadOne("""
              - name: full
                protocol_inspection:
                  inspect_max_depth: 2
                  data0_buffer_size: 8KiB
                  data0_wait_timeout: 30s
                  data0_read_timeout: 2s
                  data0_size_limit: { ftp_greeting_msg: 1K, http_request_uri: 2KiB, imap_greeting_msg: 600, nats_info_line: 2000, smtp_greeting_msg: 1 }
                server_tcp_portmap: { 8443: [https, smtp], 2525: smtp }
                client_tcp_portmap: [ { port: 5000, protocol: nats } ]
                tls_cert_generator:
                  query_peer_addr: 127.0.0.1:3000
                  query_socket_buffer: { recv: 64K, send: 32K }
                  query_wait_timeout: 2s
                  protective_cache_ttl: 5
                  maximum_cache_ttl: 600
                  cache_request_batch_count: 20
                  cache_request_timeout: 3s
                  vanish_after_expire: 100s
                tls_interception_client: { min_tls_version: tls1.2, handshake_timeout: 5s, no_session_cache: true, insecure: true }
                tls_interception_server: { handshake_timeout: 3s }
                uri_log_max_chars: 200
                h1_interception: { pipeline_size: 4, req_header_max_size: 32KiB, steal_forwarded_for: true }
                h2_inspect_policy: bypass
                websocket_inspect_policy: block
                smtp_inspect_policy: { default: bypass, exact_match: { intercept: mail.example.com } }
                imap_inspect_policy: intercept
                application_audit_ratio: "1/4"
            """);

        Assert.Equal(2, a.ProtocolInspection.InspectMaxDepth);
        Assert.Equal(8192, a.ProtocolInspection.Data0BufferSize);
        Assert.Equal(2048, a.ProtocolInspection.Data0SizeLimit.HttpRequestUri);
        Assert.Equal(1000, a.ProtocolInspection.Data0SizeLimit.FtpGreetingMsg);
        Assert.Equal(["http", "smtp"], a.ServerTcpPortmap.Get(8443)!.Protocols);
        Assert.True(a.ServerTcpPortmap.Get(8443)!.CheckTls);
        Assert.NotNull(a.ServerTcpPortmap.Get(22)); // g3 adds to its defaults
        Assert.Equal(["nats"], a.ClientTcpPortmap.Get(5000)!.Protocols);
        var agent = a.TlsCertAgent!;
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:3000"), agent.QueryPeerAddr);
        Assert.Equal(new SocketBufferConfig(64000, 32000), agent.QuerySocketBuffer);
        Assert.Equal((5u, 600u, 20), (agent.ProtectiveCacheTtl, agent.MaximumCacheTtl, agent.CacheRequestBatchCount));
        Assert.Equal(TimeSpan.FromSeconds(100), agent.CacheVanishWait);
        Assert.True(a.TlsInterceptionClient.Insecure);
        Assert.Equal("tls1.2", a.TlsInterceptionClient.MinTlsVersion);
        Assert.Equal(TimeSpan.FromSeconds(3), a.TlsInterceptionServer.AcceptTimeout);
        Assert.Equal(200, a.LogUriMaxChars);
        Assert.True(a.H1Interception.StealForwardedFor);
        Assert.Equal(InspectAction.Bypass, a.H2InspectPolicy.Check("x"));
        Assert.Equal(InspectAction.Block, a.WebsocketInspectPolicy.Check("x"));
        Assert.Equal(InspectAction.Intercept, a.SmtpInspectPolicy.Check("mail.example.com"));
        Assert.Equal(InspectAction.Bypass, a.SmtpInspectPolicy.Check("other.example.com"));
        Assert.Equal(0.25, a.TaskAuditRatio);
    }

    private static YamlNode Node(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0].RootNode;
    }

    [Theory]
    [InlineData("tls_ticketer: { check_interval: 10m }")]
    public void KeysOfFeaturesNotBuilt_AreRefusedAsNotSupportedYet(string line)
    {
        var e = Refused("  - name: a\n    " + line + "\n");
        var error = Assert.Single(e.Errors);
        Assert.StartsWith("not supported yet: " + line[..line.IndexOf(':')] + " (SslStream cannot be given TLS session ticket keys", error.Message);
    }

    /// <summary>The readers behind the unbuilt keys (their values are checked before the refusal).</summary>
    [Fact]
    public void KeysOfFeaturesNotBuilt_TheirValuesAreRead()
    {
        Assert.Equal(TimeSpan.FromMinutes(10), TlsAuditParsers.Ticketer(Node("{ check_interval: 10m, local_lifetime: 3600 }")).CheckInterval);
        var dump = TlsAuditParsers.StreamDump(Node("{ peer: 127.0.0.1:5556, packet_size: 1400, client_side: true, socket_buffer: 1M, misc_opts: { time_to_live: 64, type_of_service: 32 } }"));
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:5556"), dump.Peer);
        Assert.True(dump.ClientSide);
        Assert.Equal((64, 32), (dump.MiscOpts.TimeToLive, dump.MiscOpts.TypeOfService));
        Assert.ThrowsAny<Exception>(() => TlsAuditParsers.StreamDump(Node("{ misc_opts: invalid_opts }")));
        var h2 = InterceptionParsers.H2(Node("{ max_header_size: 32KiB, max_frame_size: 1K, max_concurrent_streams: 64, silent_drop_expect_header: true }"));
        Assert.Equal(H2InterceptionConfig.MinFrameSize, h2.MaxFrameSizeValue); // moved into range, as g3 1.11.3+
        Assert.Equal(32u * 1024, h2.MaxHeaderListSize);
        var smtp = InterceptionParsers.Smtp(Node("{ greeting_timeout: 1m, allow_odmr: true, allow_burl: true, allow_data_chunking: true }"));
        Assert.True(smtp.AllowOnDemandMailRelay && smtp.AllowBurlData);
        Assert.Equal(9, InterceptionParsers.Imap(Node("{ logout_wait_timeout: 5s, command_line_max_size: 8192, transfer_max_idle_count: 9 }")).TransferMaxIdleCount);
        var scope = new EntryScope(new ConfigDiagnostics("."), "main.yml", "auditor 'a'");
        var req = IcapServiceParser.FromYaml(Node("icap://user:pass@127.0.0.1:1344/reqmod"), IcapMethod.Reqmod, scope);
        var rsp = IcapServiceParser.FromYaml(Node("""
            url: icaps://icap.example.net/respmod
            no_preview: true
            preview_data_read_timeout: 1s
            icap_max_header_size: 16KiB
            respond_shared_names: [X-User, x-group]
            bypass: true
            pool: { max_idle_count: 10, min_idle_count: 1 }
            """), IcapMethod.Respmod, scope);
        Assert.Equal((IcapMethod.Reqmod, "127.0.0.1", 1344), (req.Method, req.Host, req.Port));
        Assert.Equal("dXNlcjpwYXNz", req.BasicAuth);
        Assert.DoesNotContain("pass", req.Url.ToString());
        Assert.Null(req.TlsClient);
        Assert.NotNull(rsp.TlsClient);
        Assert.Equal(1344, rsp.Port);
        Assert.True(rsp.NoPreview && rsp.Bypass);
        Assert.Equal(16 * 1024, rsp.IcapMaxHeaderSize);
        Assert.Equal(["x-group", "x-user"], rsp.RespondSharedNames.Order());
        Assert.Equal(10, rsp.ConnectionPool.MaxIdleCount);
    }

    [Theory]
    [InlineData("0.3", 0.3)]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData("false", 0.0)]
    [InlineData("\"25%\"", 0.25)]
    [InlineData("\"0.5\"", 0.5)]
    public void TaskAuditRatio_TakesG3RatioForms(string yaml, double expected) =>
        Assert.Equal(expected, LoadOne($"  - name: a\n    task_audit_ratio: {yaml}\n").TaskAuditRatio, 6);

    [Theory]
    [InlineData("2")]
    [InlineData("1.5")]
    [InlineData("\"3/2\"")]
    [InlineData("\"x\"")]
    public void TaskAuditRatio_OutOfRange_IsRefused(string yaml)
    {
        var e = Refused($"  - name: a\n    task_audit_ratio: {yaml}\n");
        Assert.Contains("main.yml:3: auditor 'a': key 'task_audit_ratio'", e.Message);
    }

    [Fact]
    public void CertAgentAsString_IsTheQueryPeerAddr()
    {
        var a = LoadOne("  - name: a\n    tls_cert_agent: 10.0.0.1:2999\n");
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:2999"), a.TlsCertAgent!.QueryPeerAddr);
        Assert.Equal(TimeSpan.FromSeconds(4), a.TlsCertAgent.QueryWaitTimeout);
    }

    [Fact]
    public void InspectPolicy_ExactThenChildThenSubnetThenDefault()
    {
        var a = LoadOne("""
              - name: a
                h2_inspect_policy:
                  default: block
                  exact_match: { bypass: [ bank.example.com, 192.0.2.1 ] }
                  child_match: { intercept: example.com, bypass: [ deep.sub.example.com ] }
                  subnet_match: { intercept: 192.0.2.0/24, bypass: 10.0.0.0/8 }
            """);
        var p = a.H2InspectPolicy;

        Assert.Equal(InspectAction.Bypass, p.Check("bank.example.com"));
        Assert.Equal(InspectAction.Intercept, p.Check("www.example.com"));
        Assert.Equal(InspectAction.Bypass, p.Check("x.deep.sub.example.com"));
        Assert.Equal(InspectAction.Block, p.Check("example.net"));
        Assert.Equal(InspectAction.Bypass, p.Check("192.0.2.1"));
        Assert.Equal(InspectAction.Intercept, p.Check("192.0.2.9"));
        Assert.Equal(InspectAction.Bypass, p.Check("10.1.2.3"));
        Assert.Equal(InspectAction.Block, p.Check("172.16.0.1"));
    }

    [Fact]
    public void Detour_IsRefusedAsNotSupportedYet_WithTheReason()
    {
        var e = Refused("  - name: a\n    smtp_inspect_policy:\n      default: intercept\n      child_match: { detour: example.com }\n");

        var error = Assert.Single(e.Errors);
        Assert.Equal(5, error.Line);
        Assert.Equal("auditor 'a'", error.Entry);
        Assert.Equal("not supported yet: detour (needs a QUIC peer; System.Net.Quic needs libmsquic, which no package source here serves)", error.Message);
    }

    [Fact]
    public void H2Interception_IsRead()
    {
        var a = LoadOne("  - name: a\n    h2_interception: { max_concurrent_streams: 64, stream_window_size: 2MiB, client_handshake_timeout: 2s, rsp_header_recv_timeout: 9s }\n");

        Assert.Equal(64u, a.H2Interception.MaxConcurrentStreams);
        Assert.Equal(2u * 1024 * 1024, a.H2Interception.StreamWindowSize);
        Assert.Equal(TimeSpan.FromSeconds(2), a.H2Interception.ClientHandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(9), a.H2Interception.RspHeaderRecvTimeout);
    }

    [Fact]
    public void H2Interception_UpstreamTimeouts_AreRead()
    {
        var a = LoadOne("  - name: a\n    h2_interception: { upstream_handshake_timeout: 3s, upstream_stream_open_timeout: 1500ms }\n");

        Assert.Equal(TimeSpan.FromSeconds(3), a.H2Interception.UpstreamHandshakeTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), a.H2Interception.UpstreamStreamOpenTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), LoadOne("  - name: a\n").H2Interception.UpstreamStreamOpenTimeout);
    }

    [Fact]
    public void H2Interception_ABadUpstreamTimeout_IsRefused_NamingTheLine()
    {
        var e = Refused("  - name: a\n    h2_interception:\n      max_concurrent_streams: 8\n      upstream_handshake_timeout: soon\n");

        var error = Assert.Single(e.Errors);
        Assert.Equal(("main.yml", 5, "auditor 'a'"), (error.File, error.Line, error.Entry));
        Assert.Contains("invalid duration 'soon'", error.Message);
    }

    [Fact]
    public void StreamDetourService_IsRefusedAsNotSupportedYet()
    {
        var e = Refused("  - name: a\n    stream_detour_service: 127.0.0.1:2888\n");
        Assert.Contains("main.yml:3: auditor 'a': not supported yet: stream_detour_service (needs a QUIC peer", e.Message);
    }

    [Theory]
    [InlineData("    h1_interception: { pipeline_sise: 3 }\n", "unknown key 'pipeline_sise'", "h1_interception")]
    [InlineData("    tls_cert_agent: { query_wait_timeout: soon }\n", "invalid duration 'soon'", "tls_cert_agent")]
    [InlineData("    server_tcp_portmap: { 80: gopher }\n", "unrecognised protocol 'gopher'", "server_tcp_portmap")]
    [InlineData("    icap_reqmod_service: http://127.0.0.1/x\n", "unsupported ICAP URL scheme: http", "icap_reqmod_service")]
    [InlineData("    icap_respmod_service: { no_preview: true }\n", "missing required key 'url'", "icap_respmod_service")]
    [InlineData("    h2_inspect_policy: skip\n", "invalid protocol inspect action 'skip'", "h2_inspect_policy")]
    [InlineData("    tls_cert_agnet: {}\n", "unknown key 'tls_cert_agnet'", "tls_cert_agnet")]
    public void BadValue_IsRefused_NamingFileLineEntryKey(string line, string message, string key)
    {
        var e = Refused("  - name: a\n" + line);
        var error = Assert.Single(e.Errors);
        Assert.Equal(("main.yml", 3, "auditor 'a'", key), (error.File, error.Line, error.Entry, error.Key));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AuditorsFromADirectory_AndDuplicateNames_AsOtherModules()
    {
        using var dir = new TempConfigDir();
        dir.Write("main.yml", "auditor: auditors\n");
        dir.Write("auditors/a.yml", "name: one\ntask_audit_ratio: 0.5\n---\nname: two\n");
        dir.Write("auditors/b.yml", "name: one\n");

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.Combine(dir.Root, "main.yml")));

        Assert.Contains("duplicate auditor name 'one'", e.Message);
        File.Delete(Path.Combine(dir.Root, "auditors", "b.yml"));
        var config = ConfigLoader.Load(Path.Combine(dir.Root, "main.yml"));
        Assert.Equal(["one", "two"], config.Auditors.Select(x => x.Name));
        Assert.Equal(0.5, config.Auditors[0].TaskAuditRatio);
    }

    [Fact]
    public void TicketerRemoteSource_IsNotSupportedYet()
    {
        var e = Refused("  - name: a\n    tls_ticketer:\n      source: { type: redis, addr: 127.0.0.1:6379 }\n");
        Assert.Contains("not supported yet: tls_ticketer.source", e.Message);
        Assert.Contains("no SSL_CTX or SSL handle and no ticket key callback", e.Message);
    }

    [Fact]
    public void SmtpInterceptionAndStreamDump_AreTakenAsG3WritesThem()
    {
        var a = LoadOne("  - name: a\n    smtp_interception: { greeting_timeout: 1m, allow_data_chunking: true }\n    tls_stream_dump: { peer: 127.0.0.1:5556, packet_size: 1400, client_side: true }\n");

        Assert.Equal(TimeSpan.FromMinutes(1), a.SmtpInterception.GreetingTimeout);
        Assert.True(a.SmtpInterception.AllowDataChunking);
        Assert.Equal(TimeSpan.FromMinutes(5), a.SmtpInterception.CommandWaitTimeout);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5556), a.TlsStreamDump!.Peer);
        Assert.Equal(1400, a.TlsStreamDump.PacketSize);
        Assert.True(a.TlsStreamDump.ClientSide);
    }
}
