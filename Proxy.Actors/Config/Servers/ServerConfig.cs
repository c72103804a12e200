using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Config.Servers;

/// <summary>Keys every g3 server shares (reference section 1.1).</summary>
public abstract record ServerConfig
{
    public required string Name { get; init; }
    public required ConfigPosition Position { get; init; }
    /// <summary>The canonical g3 type name, e.g. <c>HttpProxy</c> (task logs use it).</summary>
    public abstract string TypeName { get; }
    public string? Escaper { get; init; }
    public string? UserGroup { get; init; }
    public string? Auditor { get; init; }
    public TcpListenConfig? Listen { get; init; }
    /// <summary>g3's tcp_misc_opts, set on each accepted socket (no_delay is on unless set false).</summary>
    public TcpMiscSockOpts TcpMiscOpts { get; init; } = TcpMiscSockOpts.None;
    /// <summary>g3's listen_in_worker: one SO_REUSEPORT listener per worker (here: per core).</summary>
    public bool ListenInWorker { get; init; }
    public NetworkAclRule? IngressNetworkFilter { get; init; }
    /// <summary>g3's tls_server: TLS terminated in front of the server's protocol.</summary>
    public TlsServerConfig? TlsServer { get; init; }
    public HostAclRuleSet? DstHostFilterSet { get; init; }
    public PortAclRule? DstPortFilter { get; init; }
    public TcpSockSpeedLimit TcpSockSpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    public int TcpCopyBufferSize { get; init; } = 16 * 1024;
    public TimeSpan TaskIdleCheckInterval { get; init; } = TimeSpan.FromSeconds(60);
    public int TaskIdleMaxCount { get; init; } = 5;
    /// <summary>g3's flush_task_log_on_created / _on_connected: an extra task record at those points.</summary>
    public bool FlushTaskLogOnCreated { get; init; }
    public bool FlushTaskLogOnConnected { get; init; }
    /// <summary>g3's task_log_flush_interval: a Periodic task record this often while the task relays; null: none.</summary>
    public TimeSpan? TaskLogFlushInterval { get; init; }
    /// <summary>g3 tcp_copy_yield_size: bytes relayed before yielding (min 256K).</summary>
    public int TcpCopyYieldSize { get; init; } = 1024 * 1024;
    /// <summary>g3 extra_metrics_tags: static tags added to this server's metrics.</summary>
    public IReadOnlyDictionary<string, string> ExtraMetricsTags { get; init; } = new Dictionary<string, string>();
}

/// <summary>g3's <c>dummy_close</c>: accepts and closes.</summary>
public sealed record DummyCloseServerConfig : ServerConfig
{
    public override string TypeName => "DummyClose";
}
