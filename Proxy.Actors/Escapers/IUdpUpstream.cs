using System.Net;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers;

/// <summary>
/// What an escaper gives for <see cref="EscapeWant.Udp"/>: a UDP relay the task sends datagrams
/// through, each to a target it names (one fixed peer for SOCKS "UDP connect", any peer for UDP
/// ASSOCIATE), and receives the replies from. Resolving domain targets and the egress filter are
/// the escaper's, per datagram; a datagram that cannot go is a value, never an exception, and the
/// relay goes on. Not thread-safe for concurrent sends or concurrent receives: one task sends
/// (client to remote) and one receives (remote to client), as the relay's two directions do.
/// </summary>
public interface IUdpUpstream : IAsyncDisposable
{
    /// <summary>The local address datagrams leave from (next_bound_addr in the task log).</summary>
    IPEndPoint? BoundAddr { get; }

    /// <summary>Sends one datagram to <paramref name="target"/>.</summary>
    ValueTask<UdpSendResult> SendToAsync(UpstreamAddr target, ReadOnlyMemory<byte> payload, CancellationToken ct);

    /// <summary>
    /// The next datagram from any peer. A datagram larger than <paramref name="buffer"/> comes back
    /// with <see cref="UdpReceived.Truncated"/> set (its bytes are not usable). Socket failures throw
    /// (broken I/O); <paramref name="ct"/> ends the wait.
    /// </summary>
    ValueTask<UdpReceived> ReceiveAsync(Memory<byte> buffer, CancellationToken ct);
}

/// <summary>The outcome of one send: sent, or why not (forbidden by egress rules, not resolved, failed).</summary>
public readonly record struct UdpSendResult(EscapeErrorKind Error, string? Reason = null)
{
    public bool Ok => Error == EscapeErrorKind.None;
    public static readonly UdpSendResult Sent = new(EscapeErrorKind.None);
}

/// <summary>One received datagram: its length in the caller's buffer and where it came from.</summary>
public readonly record struct UdpReceived(int Count, IPEndPoint From, bool Truncated);
