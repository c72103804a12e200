namespace Proxy.Actors.Config.Auditors;

/// <summary>g3's h1_interception (lib/g3-dpi H1InterceptionConfig).</summary>
public sealed record H1InterceptionConfig
{
    public int PipelineSize { get; init; } = 10;
    public TimeSpan PipelineReadIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan ReqHeaderRecvTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan RspHeaderRecvTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int ReqHeaderMaxSize { get; init; } = 64 * 1024;
    public int RspHeaderMaxSize { get; init; } = 64 * 1024;
    public int BodyLineMaxLength { get; init; } = 8192;
    public bool StealForwardedFor { get; init; }
}

/// <summary>g3's h2_interception (lib/g3-dpi H2InterceptionConfig).</summary>
public sealed record H2InterceptionConfig
{
    public const uint MinFrameSize = 16 * 1024;
    public const uint MaxFrameSize = 16 * 1024 * 1024 - 1;

    public uint MaxHeaderListSize { get; init; } = 64 * 1024;
    public uint MaxConcurrentStreams { get; init; } = 128;
    /// <summary>g3 (1.11.3+) moves an out-of-range value into [16K, 16M-1] instead of refusing it.</summary>
    public uint MaxFrameSizeValue { get; init; } = 256 * 1024;
    public uint StreamWindowSize { get; init; } = 1024 * 1024;
    public uint ConnectionWindowSize { get; init; } = 2 * 1024 * 1024;
    public long MaxSendBufferSize { get; init; } = 8 * 1024 * 1024;
    public TimeSpan UpstreamHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan UpstreamStreamOpenTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ClientHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan RspHeaderRecvTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public bool SilentDropExpectHeader { get; init; }
}

/// <summary>g3's smtp_interception (lib/g3-dpi SmtpInterceptionConfig).</summary>
public sealed record SmtpInterceptionConfig
{
    public TimeSpan GreetingTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan QuitWaitTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan CommandWaitTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan ResponseWaitTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan DataInitiationTimeout { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan DataTerminationTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public bool AllowOnDemandMailRelay { get; init; }
    public bool AllowDataChunking { get; init; }
    public bool AllowBurlData { get; init; }
}

/// <summary>g3's imap_interception (lib/g3-dpi ImapInterceptionConfig).</summary>
public sealed record ImapInterceptionConfig
{
    public TimeSpan GreetingTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan AuthenticateTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan LogoutWaitTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int CommandLineMaxSize { get; init; } = 4096;
    public int ResponseLineMaxSize { get; init; } = 4096;
    public int ForwardMaxIdleCount { get; init; } = 30;
    public int TransferMaxIdleCount { get; init; } = 5;
}
