using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Protocols.CertGen;

namespace Proxy.Actors.Audit.CertGen;

/// <summary>
/// g3fcgen's service: one msgpack request per UDP datagram in, one answer datagram back to its sender.
/// Requests are minted concurrently up to the core count; a bad request or a failed mint is logged and
/// left unanswered, as g3fcgen does (the agent's protective TTL covers it).
/// </summary>
public sealed class CertGenServer : IAsyncDisposable
{
    private const int MaxDatagram = 16384;

    private readonly Socket _socket;
    private readonly LeafMinter _minter;
    private readonly AnswerCache _cache;
    private readonly TextWriter _log;
    private readonly SemaphoreSlim _slots = new(Environment.ProcessorCount);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private CertGenServer(Socket socket, LeafMinter minter, AnswerCache cache, TextWriter log)
    {
        _socket = socket;
        _minter = minter;
        _cache = cache;
        _log = log;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Counters an operator (and a test) can read: answers minted, answers served from cache, requests dropped.</summary>
    public long Minted => Interlocked.Read(ref _minted);
    public long CacheHits => Interlocked.Read(ref _cacheHits);
    public long Dropped => Interlocked.Read(ref _dropped);
    private long _minted, _cacheHits, _dropped;

    /// <summary>Loads the CA and binds the listen address; null with <paramref name="error"/> when either fails.</summary>
    public static CertGenServer? Start(CertGenConfig config, TimeProvider time, TextWriter log, out string error)
    {
        var ca = CertAuthority.Load(config.CaCertificatePem, config.CaPrivateKeyPem, config.NoAppendCaCert, out error);
        if (ca is null) return null;
        var socket = new Socket(config.Listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (config.Listen.AddressFamily == AddressFamily.InterNetworkV6 && config.Listen.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(config.Listen);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = $"cannot bind {config.Listen}: {e.Message}";
            return null;
        }
        var minter = new LeafMinter(ca, new KeyPool(time, config.KeyRefreshInterval), config, time);
        var server = new CertGenServer(socket, minter, new AnswerCache(config.CacheCapacity, time), log);
        server._loop = server.ReceiveLoopAsync(server._stop.Token);
        return server;
    }

    /// <summary>Completes when the server stops (disposed) or its socket fails.</summary>
    public Task Completion => _loop;

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            var buffer = new byte[MaxDatagram];
            SocketReceiveFromResult got;
            try
            {
                got = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
            }
            catch (OperationCanceledException) { return; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP error from an earlier answer, or an oversized datagram: not fatal
            }
            var request = CertGenCodec.DecodeRequest(buffer.AsMemory(0, got.ReceivedBytes), out var error);
            if (request is null)
            {
                Interlocked.Increment(ref _dropped);
                await _log.WriteLineAsync($"warn: certgen: request from {got.RemoteEndPoint}: {error}");
                continue;
            }
            try { await _slots.WaitAsync(ct); }
            catch (OperationCanceledException) { return; }
            _ = AnswerAsync(request, got.RemoteEndPoint, ct);
        }
    }

    private async Task AnswerAsync(CertGenRequest request, EndPoint peer, CancellationToken ct)
    {
        try
        {
            await Task.Yield(); // minting is CPU work: off the receive loop
            var response = _cache.Get(request);
            if (response is not null) Interlocked.Increment(ref _cacheHits);
            else
            {
                var minted = _minter.Mint(request);
                if (minted.Response is null)
                {
                    Interlocked.Increment(ref _dropped);
                    await _log.WriteLineAsync($"warn: certgen: {minted.Error}");
                    return;
                }
                response = minted.Response;
                _cache.Put(request, response);
                Interlocked.Increment(ref _minted);
            }
            await _socket.SendToAsync(CertGenCodec.EncodeResponse(response), SocketFlags.None, peer, ct);
        }
        catch (OperationCanceledException) { }
        catch (SocketException e)
        {
            await _log.WriteLineAsync($"warn: certgen: answer to {peer} not sent: {e.Message}");
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _socket.Dispose();
        _stop.Dispose();
    }
}
