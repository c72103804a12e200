using System.Net;
using System.Net.Sockets;

namespace Proxy.Actors.Resolvers.Wire;

/// <summary>
/// DNS over UDP from a socket of our own (bound to a chosen source address when one is set), and
/// over TCP on the same port when the UDP answer comes back truncated. Every wait runs on the
/// given <see cref="TimeProvider"/>.
/// </summary>
internal sealed class PlainDnsExchange(IPEndPoint server, DnsSocketSetup setup, TimeSpan requestTimeout, TimeSpan connectTimeout, TimeProvider time)
    : IDnsExchange
{
    public string Server => server.ToString();

    public async Task<DnsExchangeResult> ExchangeAsync(byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        try
        {
            var reply = await UdpAsync(query, id, type, ct).ConfigureAwait(false);
            if (reply is { Truncated: true }) reply = await TcpAsync(query, id, type, ct).ConfigureAwait(false);
            return reply is { } r ? DnsExchangeResult.Of(r) : DnsExchangeResult.TimedOut($"no answer from {server}");
        }
        catch (SocketException e)
        {
            return DnsExchangeResult.Unreachable($"{server}: {e.SocketErrorCode}");
        }
        catch (IOException e)
        {
            // a socket option the kernel refused (bind_interface, udp_misc_opts)
            return DnsExchangeResult.Unreachable($"{server}: {e.Message}");
        }
    }

    private Socket Bound(SocketType socketType, ProtocolType protocol) => DnsSockets.Open(server, socketType, protocol, setup);

    /// <summary>One UDP exchange; null on timeout. Replies with another id are dropped, as spoofing defence.</summary>
    private async Task<DnsReply?> UdpAsync(byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        using var socket = Bound(SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, ct).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, ct).ConfigureAwait(false);
        using var timer = new CancellationTokenSource(requestTimeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var reply = DnsWire.Parse(buffer.AsSpan(0, n), type);
                if (reply is { } r && r.Id == id) return r;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<DnsReply?> TcpAsync(byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        using var socket = Bound(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using (var connectTimer = new CancellationTokenSource(connectTimeout, time))
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct, connectTimer.Token))
                await socket.ConnectAsync(server, connect.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var timer = new CancellationTokenSource(requestTimeout, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            return await DnsStreamFraming.ExchangeAsync(stream, query, id, type, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
