using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>The end of one connect attempt: a socket, or why not.</summary>
internal sealed record ConnectAttemptResult(
    IPEndPoint Peer, IPAddress? BindIp, Socket? Socket, EscapeErrorKind Error, string? Reason, bool Abandoned = false);

/// <summary>One connect, bounded by tcp_connect.each_timeout; failures become values.</summary>
internal static class ConnectAttempt
{
    public static async Task<ConnectAttemptResult> RunAsync(
        ISocketConnector connector, ConnectCandidate candidate, int port, TimeSpan eachTimeout,
        TimeProvider time, CancellationToken raceToken, TcpSocketSetup? setup = null)
    {
        var peer = new IPEndPoint(candidate.Ip, port);
        using var timeout = new CancellationTokenSource(eachTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(raceToken, timeout.Token);
        try
        {
            var socket = await connector.ConnectAsync(peer, candidate.BindIp, setup, linked.Token).ConfigureAwait(false);
            if (raceToken.IsCancellationRequested)
            {
                // Another attempt won (or the caller left) while this one finished.
                socket.Dispose();
                return new(peer, candidate.BindIp, null, EscapeErrorKind.ConnectFailed, "abandoned", Abandoned: true);
            }
            return new(peer, candidate.BindIp, socket, EscapeErrorKind.None, null);
        }
        catch (OperationCanceledException) when (!raceToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            return new(peer, candidate.BindIp, null, EscapeErrorKind.ConnectTimeout,
                $"connect to {peer} timed out after {eachTimeout.TotalMilliseconds:0}ms");
        }
        catch (OperationCanceledException)
        {
            return new(peer, candidate.BindIp, null, EscapeErrorKind.ConnectFailed, "abandoned", Abandoned: true);
        }
        catch (SocketException ex)
        {
            return new(peer, candidate.BindIp, null, ConnectErrorClassifier.Classify(ex.SocketErrorCode),
                $"connect to {peer} failed: {ex.SocketErrorCode}");
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException
                                       or NotSupportedException or ArgumentException)
        {
            return new(peer, candidate.BindIp, null, EscapeErrorKind.ConnectFailed, $"connect to {peer} failed: {ex.Message}");
        }
    }
}
