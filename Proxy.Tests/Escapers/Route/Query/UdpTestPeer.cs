using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Proxy.Tests.Escapers.Route.Query;

/// <summary>A UDP query peer on loopback for tests: records each datagram and answers with what the handler returns (null: silence).</summary>
internal sealed class UdpTestPeer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();

    public UdpTestPeer(Func<byte[], byte[]?> handler)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Addr = (IPEndPoint)_socket.LocalEndPoint!;
        _ = LoopAsync(handler);
    }

    public IPEndPoint Addr { get; }
    public ConcurrentQueue<byte[]> Received { get; } = new();

    private async Task LoopAsync(Func<byte[], byte[]?> handler)
    {
        var buf = new byte[65536];
        try
        {
            while (true)
            {
                var got = await _socket.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, 0), _stop.Token);
                var datagram = buf.AsSpan(0, got.ReceivedBytes).ToArray();
                Received.Enqueue(datagram);
                if (handler(datagram) is { } answer) await _socket.SendToAsync(answer, SocketFlags.None, got.RemoteEndPoint, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }
}
