using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers.Http;

namespace Proxy.Actors.Escapers;

/// <summary>
/// An upstream connection (stream, the socket under it when there is one, peer facts, the speed
/// limit to apply), or the typed reason there is none. Errors are values. For
/// <see cref="EscapeWant.HttpForward"/> the upstream is <see cref="Http"/>, a pooled lease.
/// </summary>
public sealed record EscapeResult
{
    public Stream? Stream { get; init; }
    public Socket? Socket { get; init; }
    public HttpUpstream? Http { get; init; }
    /// <summary>For <see cref="EscapeWant.Udp"/>: the relay datagrams go through.</summary>
    public IUdpUpstream? Udp { get; init; }
    public EscapeErrorKind Error { get; init; }
    public string? Reason { get; init; }
    public IPEndPoint? PeerAddr { get; init; }
    public IPEndPoint? BoundAddr { get; init; }
    public IPAddress? BindIp { get; init; }
    /// <summary>
    /// g3's chained info, set only where this hop reaches the target itself (direct escapers): the
    /// target's address and the outgoing address (echo_chained_info's X-BD-Upstream-Addr and
    /// X-BD-Outgoing-IP). A connection to a next proxy leaves them unset.
    /// </summary>
    public IPEndPoint? ChainedTargetAddr { get; init; }
    public IPEndPoint? ChainedOutgoingAddr { get; init; }
    public int Tries { get; init; }
    public TimeSpan Spend { get; init; }
    /// <summary>The escaper's own speed limit for the upstream side of the relay.</summary>
    public TcpSockSpeedLimit SpeedLimit { get; init; } = TcpSockSpeedLimit.Unlimited;
    /// <summary>The escaper's counters, so the task's upstream bytes are added to them as it runs and ends.</summary>
    public Stats.EscaperStats? Stats { get; init; }

    public bool Ok => Error == EscapeErrorKind.None && (Stream is not null || Http is not null || Udp is not null);

    public static EscapeResult Fail(EscapeErrorKind kind, string reason, int tries = 0, TimeSpan spend = default) =>
        new() { Error = kind, Reason = reason, Tries = tries, Spend = spend };

    /// <summary>A failure after this connect step: keeps its facts (peer, bound address, tries, spend) for the logs.</summary>
    public EscapeResult FailedWith(EscapeErrorKind kind, string reason) =>
        Fail(kind, reason, Tries, Spend) with { PeerAddr = PeerAddr, BoundAddr = BoundAddr, BindIp = BindIp };

    /// <summary>A connected TCP socket as a result (the stream owns the socket).</summary>
    public static EscapeResult Connected(Socket socket) => new() { Socket = socket, Stream = new NetworkStream(socket, ownsSocket: true) };

    /// <summary>Closes what a successful result holds (a caller that will not use it).</summary>
    public async ValueTask DisposeUpstreamAsync()
    {
        if (Http is not null) await Http.ReleaseAsync(reusable: false).ConfigureAwait(false);
        if (Stream is not null) await Stream.DisposeAsync().ConfigureAwait(false);
        if (Udp is not null) await Udp.DisposeAsync().ConfigureAwait(false);
        Socket?.Dispose();
    }
}
