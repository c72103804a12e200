using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Auditors;

/// <summary>g3's h1/h2/smtp/imap interception maps (g3-yaml value/dpi http.rs, smtp.rs, imap.rs).</summary>
internal static class InterceptionParsers
{
    public static H1InterceptionConfig H1(YamlNode node)
    {
        return MapFold.Apply(node, "h1 interception", new H1InterceptionConfig(), (c, key, k, v) => key switch
        {
            "pipeline_size" => c with { PipelineSize = YamlValue.Int32(v, 1) },
            "pipeline_read_idle_timeout" => c with { PipelineReadIdleTimeout = HumanDuration.FromYaml(v) },
            "req_header_recv_timeout" => c with { ReqHeaderRecvTimeout = HumanDuration.FromYaml(v) },
            "rsp_header_recv_timeout" => c with { RspHeaderRecvTimeout = HumanDuration.FromYaml(v) },
            "req_header_max_size" => c with { ReqHeaderMaxSize = HumanSize.FromYamlInt32(v) },
            "rsp_header_max_size" => c with { RspHeaderMaxSize = HumanSize.FromYamlInt32(v) },
            "body_line_max_length" => c with { BodyLineMaxLength = YamlValue.Int32(v) },
            "steal_forwarded_for" => c with { StealForwardedFor = YamlValue.Bool(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    public static H2InterceptionConfig H2(YamlNode node)
    {
        return MapFold.Apply(node, "h2 interception", new H2InterceptionConfig(), (c, key, k, v) => key switch
        {
            "max_header_list_size" or "max_header_size" => c with { MaxHeaderListSize = U32Size(v) },
            "max_concurrent_streams" => c with { MaxConcurrentStreams = (uint)YamlValue.Integer(v, 0, uint.MaxValue) },
            "max_frame_size" => c with
            {
                MaxFrameSizeValue = Math.Clamp(U32Size(v), H2InterceptionConfig.MinFrameSize, H2InterceptionConfig.MaxFrameSize),
            },
            "stream_window_size" => c with { StreamWindowSize = U32Size(v) },
            "connection_window_size" => c with { ConnectionWindowSize = U32Size(v) },
            "max_send_buffer_size" => c with { MaxSendBufferSize = HumanSize.FromYaml(v) },
            "upstream_handshake_timeout" => c with { UpstreamHandshakeTimeout = HumanDuration.FromYaml(v) },
            "upstream_stream_open_timeout" => c with { UpstreamStreamOpenTimeout = HumanDuration.FromYaml(v) },
            "client_handshake_timeout" => c with { ClientHandshakeTimeout = HumanDuration.FromYaml(v) },
            "ping_interval" => c with { PingInterval = HumanDuration.FromYaml(v) },
            "rsp_header_recv_timeout" => c with { RspHeaderRecvTimeout = HumanDuration.FromYaml(v) },
            "silent_drop_expect_header" => c with { SilentDropExpectHeader = YamlValue.Bool(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    public static SmtpInterceptionConfig Smtp(YamlNode node)
    {
        return MapFold.Apply(node, "smtp interception", new SmtpInterceptionConfig(), (c, key, k, v) => key switch
        {
            "greeting_timeout" => c with { GreetingTimeout = HumanDuration.FromYaml(v) },
            "quit_wait_timeout" => c with { QuitWaitTimeout = HumanDuration.FromYaml(v) },
            "command_wait_timeout" => c with { CommandWaitTimeout = HumanDuration.FromYaml(v) },
            "response_wait_timeout" => c with { ResponseWaitTimeout = HumanDuration.FromYaml(v) },
            "data_initiation_timeout" => c with { DataInitiationTimeout = HumanDuration.FromYaml(v) },
            "data_termination_timeout" => c with { DataTerminationTimeout = HumanDuration.FromYaml(v) },
            "allow_on_demand_mail_relay" or "allow_odmr" => c with { AllowOnDemandMailRelay = YamlValue.Bool(v) },
            "allow_data_chunking" => c with { AllowDataChunking = YamlValue.Bool(v) },
            "allow_burl_data" or "allow_burl" => c with { AllowBurlData = YamlValue.Bool(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    public static ImapInterceptionConfig Imap(YamlNode node)
    {
        return MapFold.Apply(node, "imap interception", new ImapInterceptionConfig(), (c, key, k, v) => key switch
        {
            "greeting_timeout" => c with { GreetingTimeout = HumanDuration.FromYaml(v) },
            "authenticate_timeout" => c with { AuthenticateTimeout = HumanDuration.FromYaml(v) },
            "logout_wait_timeout" => c with { LogoutWaitTimeout = HumanDuration.FromYaml(v) },
            "command_line_max_size" => c with { CommandLineMaxSize = YamlValue.Int32(v) },
            "response_line_max_size" => c with { ResponseLineMaxSize = YamlValue.Int32(v) },
            "forward_max_idle_count" => c with { ForwardMaxIdleCount = YamlValue.Int32(v) },
            "transfer_max_idle_count" => c with { TransferMaxIdleCount = YamlValue.Int32(v) },
            _ => throw YamlValue.UnknownKey(key, k),
        });
    }

    /// <summary>g3's "humanize u32".</summary>
    private static uint U32Size(YamlNode v)
    {
        var size = HumanSize.FromYaml(v);
        return size <= uint.MaxValue ? (uint)size : throw new ConfigValueException($"size {size} is too large for u32", v);
    }
}
