using System.Net;

namespace Proxy.Actors.Config.Values;

public enum LogDriver { Discard, Stdout, Syslog, Journal, Fluentd }

/// <summary>g3's <c>log</c> section: a logger config per log type (task, escape, resolve, audit).</summary>
public sealed record LogConfig
{
    public LoggerConfig Default { get; init; } = LoggerConfig.Discard;
    public LoggerConfig Task { get; init; } = LoggerConfig.Discard;
    public LoggerConfig Escape { get; init; } = LoggerConfig.Discard;
    public LoggerConfig Resolve { get; init; } = LoggerConfig.Discard;
    public LoggerConfig Audit { get; init; } = LoggerConfig.Discard;
}

/// <summary>One log type's driver and its settings (g3's "log config value").</summary>
public sealed record LoggerConfig
{
    public static readonly LoggerConfig Discard = new();

    public LogDriver Driver { get; init; } = LogDriver.Discard;
    public SyslogConfig? Syslog { get; init; }
    public FluentdConfig? Fluentd { get; init; }
    /// <summary>g3 async_channel_size: records queued before new ones are dropped (counted).</summary>
    public int ChannelSize { get; init; } = 4096;
}

/// <summary>g3's syslog driver: where datagrams go and how each is formatted.</summary>
public sealed record SyslogConfig
{
    /// <summary>g3 sets facility daemon when the driver has a config map, user for the bare name.</summary>
    public int Facility { get; init; } = 1;
    /// <summary>Unix datagram socket path; null with no UDP target means the system socket (/dev/log).</summary>
    public string? TargetUnix { get; init; }
    public IPEndPoint? TargetUdp { get; init; }
    public IPAddress? TargetUdpBindIp { get; init; }
    public bool Rfc5424 { get; init; }
    public int EnterpriseId { get; init; }
    public string? MessageId { get; init; }
    public bool UseCeeLogSyntax { get; init; }
    public string CeeEventFlag { get; init; } = "@cee:";
    public bool EmitHostname { get; init; }
    public bool AppendReportTs { get; init; }
}

/// <summary>g3's fluentd driver (Forward protocol over TCP or TLS).</summary>
public sealed record FluentdConfig
{
    public IPEndPoint Address { get; init; } = new(IPAddress.Loopback, 24224);
    public IPAddress? BindIp { get; init; }
    public string? SharedKey { get; init; }
    public string Username { get; init; } = "";
    public string Password { get; init; } = "";
    public string? Hostname { get; init; }
    public TcpKeepaliveConfig? TcpKeepalive { get; init; } = TcpKeepaliveConfig.Default;
    public TlsClientConfig? TlsClient { get; init; }
    public string? TlsName { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ConnectDelay { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public int RetryQueueLen { get; init; } = 10;
}
