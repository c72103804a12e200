namespace Proxy.Actors.Escapers;

/// <summary>
/// Why an escaper could not give an upstream. Each server maps it to its own reply: an HTTP
/// status (docs/http-status.md), a SOCKS reply code, or a closed stream.
/// </summary>
public enum EscapeErrorKind
{
    None,
    /// <summary>The escaper refuses the request (dummy_deny, or a dangling escaper name): 503.</summary>
    EscaperNotUsable,
    /// <summary>egress_network_filter (or a rule of the escaper) forbids the target: 403.</summary>
    ForbiddenByRule,
    /// <summary>DNS failure (NXDOMAIN, timeout, deny_all resolver): 530.</summary>
    ResolveFailed,
    /// <summary>Upstream refused or reset the connection: 521.</summary>
    ConnectRefused,
    /// <summary>No answer within tcp_connect.each_timeout on every try: 522.</summary>
    ConnectTimeout,
    /// <summary>Network or host unreachable: 523.</summary>
    NetworkUnreachable,
    /// <summary>The TLS handshake with the upstream failed or timed out: 525.</summary>
    TlsHandshakeFailed,
    /// <summary>A next-hop proxy refused or failed the request (bad auth, its own error): 502.</summary>
    PeerRefused,
    /// <summary>The escaper does not offer what was asked (e.g. UDP on a TCP-only escaper): 501.</summary>
    NotSupported,
    /// <summary>Anything else that went wrong while connecting: 502.</summary>
    ConnectFailed,
}
