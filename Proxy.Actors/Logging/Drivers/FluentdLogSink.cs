using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Stats;
using Proxy.Actors.Tls;

namespace Proxy.Actors.Logging.Drivers;

/// <summary>
/// g3's fluentd driver: one TCP (or TLS) connection to a Forward-protocol receiver, the
/// shared-key handshake when configured, each batch written as Message-mode entries in one
/// write bounded by <c>write_timeout</c>. While the peer cannot be reached (connect failed
/// within <c>connect_timeout</c>), records wait in a retry queue of <c>retry_queue_len</c>
/// (overflow dropped, counted PeerUnreachable) and no new connect is tried before
/// <c>connect_delay</c>. A batch that times out is dropped and the connection made anew, so a
/// half-written entry never corrupts the stream.
/// </summary>
internal sealed class FluentdLogSink : ILogSink
{
    private readonly FluentdConfig _config;
    private readonly string _tag;
    private readonly LoggerStats _stats;
    private readonly TimeProvider _time;
    private readonly string _hostname;
    private readonly Queue<LogRecord> _retry = new();
    private Socket? _socket;
    private Stream? _stream;
    private long _nextConnectAt;

    public FluentdLogSink(FluentdConfig config, string tag, LoggerStats stats, TimeProvider time)
    {
        _config = config;
        _tag = tag;
        _stats = stats;
        _time = time;
        _hostname = config.Hostname ?? Dns.GetHostName();
    }

    public async Task WriteAsync(IReadOnlyList<LogRecord> batch, CancellationToken ct)
    {
        if (_stream is null || PeerClosed())
        {
            Close();
            if (!await ConnectAsync(ct).ConfigureAwait(false))
            {
                foreach (var r in batch) Queue(r);
                return;
            }
        }
        var pending = _retry.Count > 0 ? _retry.Concat(batch).ToList() : batch;
        _retry.Clear();
        var buffer = new ArrayBufferWriter<byte>(pending.Count * 700);
        foreach (var r in pending) FluentdEncoder.Write(buffer, _tag, r);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_config.WriteTimeout);
        try
        {
            await _stream!.WriteAsync(buffer.WrittenMemory, timeout.Token).ConfigureAwait(false);
            await _stream.FlushAsync(timeout.Token).ConfigureAwait(false);
            foreach (var _ in pending) _stats.Pass(buffer.WrittenCount / pending.Count);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // g3 drops an entry whose write timed out; the stream may hold half of one now.
            _stats.Drop(LogDropType.PeerUnreachable, pending.Count);
            Close();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            foreach (var r in pending) Queue(r);
            Close();
        }
    }

    private void Queue(LogRecord record)
    {
        _retry.Enqueue(record);
        if (_retry.Count <= _config.RetryQueueLen) return;
        _retry.Dequeue();
        _stats.Drop(LogDropType.PeerUnreachable);
    }

    private async Task<bool> ConnectAsync(CancellationToken ct)
    {
        if (_time.GetTimestamp() < _nextConnectAt) return false;
        var socket = new Socket(_config.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_config.ConnectTimeout);
        Stream? stream = null;
        try
        {
            if (_config.BindIp is { } bind) socket.Bind(new IPEndPoint(bind, 0));
            Sockets.SocketOptions.ApplyKeepalive(socket, _config.TcpKeepalive);
            await socket.ConnectAsync(_config.Address, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (_config.TlsClient is { } tls)
            {
                var (ssl, error) = await TlsClientHandshake.ConnectAsync(stream, _config.TlsName ?? _config.Address.Address.ToString(), tls, _time, timeout.Token)
                    .ConfigureAwait(false);
                if (ssl is null) throw new IOException(error);
                stream = ssl;
            }
            if (_config.SharedKey is { Length: > 0 } key)
            {
                var error = await FluentdHandshake.RunAsync(stream, _hostname, key, _config.Username, _config.Password, timeout.Token)
                    .ConfigureAwait(false);
                if (error is not null) throw new IOException(error);
            }
            _socket = socket;
            _stream = stream;
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException
                                      or MessagePack.MessagePackSerializationException or EndOfStreamException)
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            if (ct.IsCancellationRequested) throw;
            _nextConnectAt = _time.GetTimestamp() + (long)(_config.ConnectDelay.TotalSeconds * _time.TimestampFrequency);
            return false;
        }
    }

    /// <summary>The receiver never sends unasked (no ack is requested): readable means it closed or broke the protocol.</summary>
    private bool PeerClosed()
    {
        try
        {
            return _socket is null || _socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    private void Close()
    {
        _stream?.Dispose();
        _socket?.Dispose();
        _stream = null;
        _socket = null;
    }

    public ValueTask DisposeAsync()
    {
        if (_retry.Count > 0) _stats.Drop(LogDropType.ChannelClosed, _retry.Count);
        _retry.Clear();
        Close();
        return ValueTask.CompletedTask;
    }
}
