using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Actors.Servers.Common;

/// <summary>
/// What is known about a client connection besides its bytes: the socket's own addresses, and
/// what a PROXY header, a transparent listener or a TLS handshake in front of the server said.
/// </summary>
public sealed record ConnectionFacts(IPEndPoint? LocalAddr, IPEndPoint? PeerAddr)
{
    /// <summary>The client address a PROXY protocol header carried.</summary>
    public IPEndPoint? ProxiedClientAddr { get; init; }
    /// <summary>The server address a PROXY protocol header carried.</summary>
    public IPEndPoint? ProxiedServerAddr { get; init; }
    /// <summary>The original destination of a transparently intercepted connection.</summary>
    public IPEndPoint? OriginalDestination { get; init; }
    /// <summary>The SNI the client sent when a TLS port terminated its handshake.</summary>
    public string? TlsServerName { get; init; }
    /// <summary>The ALPN protocol negotiated by a TLS port.</summary>
    public string? TlsAlpn { get; init; }
    /// <summary>The client certificate a TLS port verified (mTLS).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The client as the task log and ACLs see it.</summary>
    public IPEndPoint? ClientAddr => ProxiedClientAddr ?? PeerAddr;
    /// <summary>The server address as the task log sees it.</summary>
    public IPEndPoint? ServerAddr => ProxiedServerAddr ?? LocalAddr;
}
