using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Stats;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// One datagram per record to a unix datagram socket (syslog's /dev/log, journald's socket) or a
/// UDP address (remote syslog). A peer that is missing or refuses loses those records, counted
/// as PeerUnreachable; the socket is re-made at most once a second after such a failure.
/// A full unix socket makes the send wait (the pipeline's back-pressure) up to the write timeout.
/// </summary>
internal sealed class DatagramLogSink : ILogSink
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly EndPoint _target;
    private readonly IPAddress? _bindIp;
    private readonly Func<LogRecord, byte[]> _format;
    private readonly LoggerStats _stats;
    private readonly TimeProvider _time;
    private Socket? _socket;
    private long _retryAt;

    public DatagramLogSink(EndPoint target, IPAddress? bindIp, Func<LogRecord, byte[]> format, LoggerStats stats, TimeProvider time)
    {
        _target = target;
        _bindIp = bindIp;
        _format = format;
        _stats = stats;
        _time = time;
    }

    public async Task WriteAsync(IReadOnlyList<LogRecord> batch, CancellationToken ct)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            byte[] datagram;
            try
            {
                datagram = _format(batch[i]);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                _stats.Drop(LogDropType.FormatFailed);
                continue;
            }
            var socket = Connect();
            if (socket is null)
            {
                _stats.Drop(LogDropType.PeerUnreachable, batch.Count - i);
                return;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(WriteTimeout);
            try
            {
                await socket.SendAsync(datagram, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                _stats.Pass(datagram.Length);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                _stats.Drop(LogDropType.PeerUnreachable);
            }
            catch (SocketException)
            {
                _stats.Drop(LogDropType.PeerUnreachable);
                Reset();
            }
        }
    }

    private Socket? Connect()
    {
        if (_socket is not null) return _socket;
        if (_time.GetTimestamp() < _retryAt) return null;
        var socket = _target is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
            : new Socket(_target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (_bindIp is not null) socket.Bind(new IPEndPoint(_bindIp, 0));
            socket.Connect(_target);
            return _socket = socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            Reset();
            return null;
        }
    }

    private void Reset()
    {
        _socket?.Dispose();
        _socket = null;
        _retryAt = _time.GetTimestamp() + (long)(ReconnectDelay.TotalSeconds * _time.TimestampFrequency);
    }

    public ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        return ValueTask.CompletedTask;
    }
}
