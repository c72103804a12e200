using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers;

/// <summary>Why an escaper could not give an upstream; each maps to one HTTP status (see docs/http-status.md).</summary>
public enum EscapeErrorKind
{
    None,
    /// <summary>The escaper refuses the request (dummy_deny, or a dangling escaper name): 503.</summary>
    EscaperNotUsable,
    /// <summary>egress_network_filter forbids every address of the target: 403.</summary>
    ForbiddenByRule,
    /// <summary>DNS failure (NXDOMAIN, timeout, deny_all resolver): 530.</summary>
    ResolveFailed,
    /// <summary>Upstream refused or reset the connection: 521.</summary>
    ConnectRefused,
    /// <summary>No answer within tcp_connect.each_timeout on every try: 522.</summary>
    ConnectTimeout,
    /// <summary>Network or host unreachable: 523.</summary>
    NetworkUnreachable,
    /// <summary>Anything else that went wrong while connecting: 502.</summary>
    ConnectFailed,
}

/// <summary>What a connection task asks an escaper for.</summary>
public sealed record EscapeRequest(UpstreamAddr Target, IPEndPoint? ClientAddr, string TaskId);

/// <summary>A connected upstream socket, or the reason there is none. Errors are values.</summary>
public sealed record EscapeResult
{
    public Socket? Socket { get; init; }
    public EscapeErrorKind Error { get; init; }
    public string? Reason { get; init; }
    public IPEndPoint? PeerAddr { get; init; }
    public IPEndPoint? BoundAddr { get; init; }
    public IPAddress? BindIp { get; init; }
    public int Tries { get; init; }
    public TimeSpan Spend { get; init; }
    /// <summary>The escaper's own speed limit for the upstream side of the relay.</summary>
    public TcpSockSpeedLimit SpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    /// <summary>The escaper's counters, so the task's upstream bytes are added to them when it ends.</summary>
    public Stats.EscaperStats? Stats { get; init; }

    public bool Ok => Socket is not null && Error == EscapeErrorKind.None;

    public static EscapeResult Fail(EscapeErrorKind kind, string reason, int tries = 0, TimeSpan spend = default) =>
        new() { Error = kind, Reason = reason, Tries = tries, Spend = spend };
}

/// <summary>
/// The handle an escaper actor publishes. Connection tasks call it directly; it must be
/// thread-safe. Every wait inside is bounded by the escaper's own timeouts and <paramref name="ct"/>.
/// </summary>
public interface IEscaper
{
    string Name { get; }
    string TypeName { get; }
    ValueTask<EscapeResult> ConnectTcpAsync(EscapeRequest request, CancellationToken ct);
}
