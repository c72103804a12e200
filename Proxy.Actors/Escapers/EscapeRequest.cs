using System.Net;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;

namespace Proxy.Actors.Escapers;

/// <summary>What a task wants from an escaper.</summary>
public enum EscapeWant
{
    /// <summary>A TCP stream to the target (CONNECT, SOCKS CONNECT, stream servers).</summary>
    Tcp,
    /// <summary>A TLS stream to the target; the escaper does the handshake with <see cref="EscapeRequest.Tls"/>.</summary>
    Tls,
    /// <summary>
    /// An upstream for HTTP forward requests to the target (<see cref="Http.HttpUpstream"/>), taken from
    /// the escaper's keep-alive pool when it has one. TLS to the target when <see cref="EscapeRequest.Tls"/>
    /// is set (an https:// request), unless the escaper forwards https itself (a chaining escaper).
    /// </summary>
    HttpForward,
    /// <summary>
    /// A UDP relay (<see cref="IUdpUpstream"/>, socks_proxy). The target is the task's first datagram's:
    /// the escaper resolves and checks it before answering, so it fails as a connect would. Escapers
    /// that offer none answer <see cref="EscapeErrorKind.NotSupported"/>.
    /// </summary>
    Udp,
}

/// <summary>How an HTTP forward upstream may be pooled (the server's and user's keep-alive settings).</summary>
public sealed record HttpForwardOptions(bool KeepAlive, TimeSpan IdleExpire)
{
    /// <summary>Check a pooled connection for a close before handing it out (requests with a body).</summary>
    public bool ProbeIdle { get; init; }
    /// <summary>Skip the pool (a retry after a pooled connection turned out dead).</summary>
    public bool FreshOnly { get; init; }
}

/// <summary>
/// One request to an escaper: the task context, the target and what is wanted.
/// <paramref name="Task"/> is the task's notes: server, user, client address and task id, and where the
/// escaper records its facts (next_* addresses, tries) for the task and escape logs.
/// </summary>
public sealed record EscapeRequest(TaskNotes Task, UpstreamAddr Target, EscapeWant Want)
{
    /// <summary>TLS client settings for <see cref="EscapeWant.Tls"/> and https forwarding.</summary>
    public TlsClientConfig? Tls { get; init; }
    /// <summary>The TLS name (SNI and verification) when it is not the target host.</summary>
    public string? TlsName { get; init; }
    /// <summary>For <see cref="EscapeWant.HttpForward"/>.</summary>
    public HttpForwardOptions? Http { get; init; }
    /// <summary>For <see cref="EscapeWant.Udp"/>: the server's udp_socket_buffer, applied to the escaper's socket too (as g3 does).</summary>
    public SocketBufferConfig? UdpSocketBuffer { get; init; }
    /// <summary>The task's user's tcp_connect: direct escapers clamp their own to it (g3's limit_to).</summary>
    public TcpConnectConfig? UserTcpConnect { get; init; }
    /// <summary>The task's user's (or user site's) resolve_strategy and resolve_redirection, for direct escapers; set from the task notes by <see cref="Servers.Common.ServerEscape"/>.</summary>
    internal UserEscape? UserEscape { get; init; }
    /// <summary>The task's user's tcp_remote_misc_opts, set over the escaper's tcp_misc_opts (g3's adjust_to).</summary>
    public TcpMiscSockOpts? UserTcpMiscOpts { get; init; }
    /// <summary>The task's user's udp_remote_misc_opts, set over the escaper's udp_misc_opts.</summary>
    public UdpMiscSockOpts? UserUdpMiscOpts { get; init; }
    /// <summary>The task's user's tcp_remote_keepalive.</summary>
    public TcpKeepaliveConfig? UserTcpKeepalive { get; init; }

    public string? UserName => Task.User;
    public IPEndPoint? ClientAddr => Task.ClientAddr;
    public string TaskId => Task.TaskId;
    public string EffectiveTlsName => TlsName ?? Target.Host;
}
