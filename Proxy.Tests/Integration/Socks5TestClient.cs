using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;

namespace Proxy.Tests.Integration;

/// <summary>A SOCKS5 client written to RFC 1928 with the project's client codec, for tests that need more than curl.</summary>
internal sealed class Socks5TestClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private byte[] _pending = [];

    private Socks5TestClient(TcpClient tcp)
    {
        _tcp = tcp;
        Stream = tcp.GetStream();
    }

    public NetworkStream Stream { get; }

    public static async Task<Socks5TestClient> ConnectAsync(IPEndPoint proxy)
    {
        var tcp = new TcpClient(proxy.AddressFamily);
        await tcp.ConnectAsync(proxy);
        return new Socks5TestClient(tcp);
    }

    public Task SendAsync(params byte[] bytes) => Stream.WriteAsync(bytes).AsTask();

    /// <summary>Greeting offering "no authentication"; returns the method the server chose.</summary>
    public async Task<Socks5AuthMethod> GreetAsync(params Socks5AuthMethod[] methods)
    {
        var w = new ArrayBufferWriter<byte>();
        Socks5ClientWriter.WriteGreeting(w, methods.Length == 0 ? [Socks5AuthMethod.NoAuth] : methods);
        await Stream.WriteAsync(w.WrittenMemory);
        return await ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ClientParser.ParseMethodSelection(b));
    }

    /// <summary>RFC 1929 username/password; true when the server answers status 0.</summary>
    public async Task<bool> LoginAsync(string user, string password)
    {
        var w = new ArrayBufferWriter<byte>();
        Socks5ClientWriter.WriteCredentials(w, user, password);
        await Stream.WriteAsync(w.WrittenMemory);
        return await ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ClientParser.ParseCredentialsReply(b));
    }

    public async Task<Socks5Reply> RequestAsync(Socks5Command command, UpstreamAddr target)
    {
        var w = new ArrayBufferWriter<byte>();
        Socks5ClientWriter.WriteRequest(w, command, target);
        await Stream.WriteAsync(w.WrittenMemory);
        return await ReadReplyAsync();
    }

    public Task<Socks5Reply> ReadReplyAsync() => ReadAsync(static (in ReadOnlySequence<byte> b) => Socks5ClientParser.ParseReply(b));

    public delegate ParseResult<T> Parser<T>(in ReadOnlySequence<byte> buffer);

    /// <summary>One message within 10 s; bytes after it are kept for the next read.</summary>
    public async Task<T> ReadAsync<T>(Parser<T> parse)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        while (true)
        {
            var result = parse(new ReadOnlySequence<byte>(_pending));
            if (result.IsDone)
            {
                _pending = _pending[(int)result.Consumed..];
                return result.Value!;
            }
            if (result.Status != ParseStatus.NeedMore) throw new InvalidDataException(result.Reason);
            var n = await Stream.ReadAsync(buffer, cts.Token);
            if (n == 0) throw new EndOfStreamException("proxy closed before a whole message");
            _pending = [.. _pending, .. buffer.AsSpan(0, n)];
        }
    }

    /// <summary>True when the proxy closes within <paramref name="within"/> (any bytes before are returned in Received).</summary>
    public async Task<(bool Closed, byte[] Received)> WaitClosedAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var received = new List<byte>(_pending);
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var n = await Stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return (true, received.ToArray());
                received.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (OperationCanceledException)
        {
            return (false, received.ToArray());
        }
        catch (IOException)
        {
            return (true, received.ToArray());
        }
    }

    /// <summary>One UDP datagram with the RFC 1928 header.</summary>
    public static byte[] UdpDatagram(UpstreamAddr target, ReadOnlySpan<byte> payload, byte frag = 0)
    {
        var w = new ArrayBufferWriter<byte>();
        Socks5UdpCodec.Write(w, target, payload);
        var bytes = w.WrittenSpan.ToArray();
        bytes[2] = frag;
        return bytes;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A UDP echo server on loopback: every datagram goes back to its sender.</summary>
internal sealed class UdpEcho : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public UdpEcho(IPAddress? address = null)
    {
        _udp = new UdpClient(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        _udp.Client.ReceiveBufferSize = 1 << 20;
        _loop = Task.Run(LoopAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;
    public int Received;
    /// <summary>Where each datagram came from (the proxy's bind address).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<IPEndPoint> Sources { get; } = new();

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var r = await _udp.Client.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(_udp.Client.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0), _stop.Token);
                Interlocked.Increment(ref Received);
                Sources.Enqueue((IPEndPoint)r.RemoteEndPoint);
                await _udp.Client.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, r.RemoteEndPoint);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        _udp.Dispose();
        _stop.Dispose();
    }
}
