using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Relay;

namespace Proxy.Actors.Escapers.Proxy;

/// <summary>
/// UDP through a next-hop SOCKS5 proxy's UDP ASSOCIATE: each datagram goes to the proxy's relay
/// with the RFC 1928 header naming its target (a name is sent as a name), each reply is unwrapped
/// and reported from the source its header names. The control connection is held open and
/// watched: as g3, an error on it ends the relay, and so does its clean close once a datagram has
/// come back (or at once with end_on_control_closed). The escaper's udp_sock_speed_limit applies.
/// </summary>
internal sealed class Socks5UdpUpstream : IUdpUpstream
{
    private const int MaxDatagram = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _control;
    private readonly Socket? _controlSocket;
    private readonly bool _endOnControlClosed;
    private readonly CancellationTokenSource _ended = new();
    private readonly byte[] _sendBuffer = new byte[Socks5UdpCodec.MaxHeaderLength + MaxDatagram];
    private readonly byte[] _receiveBuffer = new byte[Socks5UdpCodec.MaxHeaderLength + MaxDatagram];
    private readonly SpeedLimiter? _northBytes, _northPackets, _southBytes, _southPackets;
    private readonly Task _watch;
    private volatile bool _controlClosed;
    private volatile bool _received;
    private string? _endReason;

    public Socks5UdpUpstream(Socket socket, Stream control, Socket? controlSocket, bool endOnControlClosed, UdpSockSpeedLimit limit, TimeProvider time)
    {
        _socket = socket;
        _control = control;
        _controlSocket = controlSocket;
        _endOnControlClosed = endOnControlClosed;
        BoundAddr = socket.LocalEndPoint as IPEndPoint;
        _northBytes = SpeedLimiter.North(limit.Bytes, TcpSockSpeedLimit.Unlimited, time);
        _northPackets = SpeedLimiter.North(limit.Packets, TcpSockSpeedLimit.Unlimited, time);
        _southBytes = SpeedLimiter.South(limit.Bytes, TcpSockSpeedLimit.Unlimited, time);
        _southPackets = SpeedLimiter.South(limit.Packets, TcpSockSpeedLimit.Unlimited, time);
        _watch = WatchControlAsync();
    }

    public IPEndPoint? BoundAddr { get; }

    public async ValueTask<UdpSendResult> SendToAsync(UpstreamAddr target, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (payload.Length > MaxDatagram) return new UdpSendResult(EscapeErrorKind.ConnectFailed, "datagram larger than 64K");
        if (_northBytes is not null) await _northBytes.ThrottleAsync(payload.Length, ct).ConfigureAwait(false);
        if (_northPackets is not null) await _northPackets.ThrottleAsync(1, ct).ConfigureAwait(false);
        var header = Socks5UdpCodec.WriteHeader(_sendBuffer, target);
        payload.CopyTo(_sendBuffer.AsMemory(header));
        try
        {
            await _socket.SendAsync(_sendBuffer.AsMemory(0, header + payload.Length), SocketFlags.None, ct).ConfigureAwait(false);
            return UdpSendResult.Sent;
        }
        catch (SocketException e)
        {
            return new UdpSendResult(EscapeErrorKind.ConnectFailed, $"send to next proxy's relay: {e.SocketErrorCode}");
        }
    }

    public async ValueTask<UdpReceived> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _ended.Token);
        while (true)
        {
            if (_received && _controlClosed) End("the next proxy closed the UDP control connection");
            int n;
            try
            {
                n = await _socket.ReceiveAsync(_receiveBuffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_ended.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new SocketException((int)SocketError.ConnectionAborted, _endReason);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // An ICMP port-unreachable for an earlier send: not the relay's end.
                continue;
            }
            var header = Socks5UdpCodec.Parse(_receiveBuffer.AsMemory(0, n));
            // Malformed, fragmented or name-labelled replies carry nothing a client can be told: skip them.
            if (!header.IsDone || header.Value!.IsFragment || header.Value.Target.Ip is not { } ip) continue;
            _received = true;
            var from = new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, header.Value.Target.Port);
            var length = n - (int)header.Consumed;
            if (_southBytes is not null) await _southBytes.ThrottleAsync(length, ct).ConfigureAwait(false);
            if (_southPackets is not null) await _southPackets.ThrottleAsync(1, ct).ConfigureAwait(false);
            if (length > buffer.Length) return new UdpReceived(buffer.Length, from, Truncated: true);
            _receiveBuffer.AsMemory((int)header.Consumed, length).CopyTo(buffer);
            return new UdpReceived(length, from, Truncated: false);
        }
    }

    /// <summary>The control connection says nothing after the reply: any byte or an error ends the relay, a close as g3 says.</summary>
    private async Task WatchControlAsync()
    {
        var one = new byte[1];
        try
        {
            var n = await _control.ReadAsync(one, _ended.Token).ConfigureAwait(false);
            if (n > 0)
            {
                End("the next proxy sent data on the UDP control connection");
                return;
            }
            _controlClosed = true;
            if (_endOnControlClosed || _received) End("the next proxy closed the UDP control connection");
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            End("UDP control connection to the next proxy failed: " + e.Message);
        }
    }

    private void End(string reason)
    {
        _endReason ??= reason;
        _ended.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        _ended.Cancel();
        _socket.Dispose();
        await _control.DisposeAsync().ConfigureAwait(false);
        _controlSocket?.Dispose();
        await _watch.ConfigureAwait(false);
        _ended.Dispose();
    }
}
