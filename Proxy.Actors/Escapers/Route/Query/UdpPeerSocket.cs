using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Escapers.Route.Query;

/// <summary>
/// A UDP socket connected to one query peer (route_query's agent, route_geoip's locate service):
/// sends one datagram per request and hands every datagram it receives to a callback. A peer not
/// listening yet is not an error: its queries just go unanswered until their wait ends.
/// </summary>
internal sealed class UdpPeerSocket : IDisposable
{
    /// <summary>The largest datagram read; g3 reads into a 4 KiB buffer, a locate answer or a node list fits well within this.</summary>
    private const int MaxDatagram = 65536;

    private readonly Socket _socket;
    private readonly Action<ReadOnlyMemory<byte>> _onDatagram;
    private readonly CancellationTokenSource _stop = new();

    public UdpPeerSocket(IPEndPoint peer, SocketBufferConfig? buffer, Action<ReadOnlyMemory<byte>> onDatagram)
    {
        Peer = peer;
        _onDatagram = onDatagram;
        _socket = new Socket(peer.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        buffer?.ApplyTo(_socket);
        _socket.Connect(peer);
        _ = ReceiveLoopAsync(_stop.Token);
    }

    public IPEndPoint Peer { get; }

    /// <summary>Sends one datagram; a failure is the reason (the caller answers the query as empty).</summary>
    public string? Send(byte[] datagram)
    {
        try
        {
            _socket.Send(datagram);
            return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return $"cannot send to {Peer}: {e.Message}";
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[MaxDatagram];
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP unreachable from a peer not up yet
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _onDatagram(buffer.AsMemory(0, n));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }
}
