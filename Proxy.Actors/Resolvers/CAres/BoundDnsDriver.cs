using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using Proxy.Actors.Config.Resolvers;
using Proxy.Actors.Resolvers.Cache;

namespace Proxy.Actors.Resolvers.CAres;

/// <summary>
/// The c-ares driver when <c>bind_ipv4</c>/<c>bind_ipv6</c> are set: DnsClient cannot choose the
/// source address of its queries, so these go out from sockets of our own, bound to the
/// configured address of the server's family. UDP first, TCP when the answer is truncated;
/// each_timeout per try, each_tries per server, servers in turn (round_robin: starting at a
/// random one). Every outcome is a value; only cancellation throws.
/// </summary>
internal sealed class BoundDnsDriver
{
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly IPAddress? _bindV4;
    private readonly IPAddress? _bindV6;
    private readonly TimeSpan _eachTimeout;
    private readonly int _tries;
    private readonly bool _roundRobin;

    public BoundDnsDriver(CAresResolverConfig config)
    {
        _servers = config.Servers.Count > 0
            ? config.Servers
            : NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false)
                .Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port)).ToArray();
        _bindV4 = config.BindIpv4;
        _bindV6 = config.BindIpv6;
        _eachTimeout = DnsClientDriver.EachTimeout(config);
        _tries = Math.Max(1, config.EachTries);
        _roundRobin = config.RoundRobin;
    }

    public async Task<DriverAnswer> QueryAsync(string host, AddressFamily family, CancellationToken ct)
    {
        var type = family == AddressFamily.InterNetworkV6 ? DnsWire.TypeAaaa : DnsWire.TypeA;
        var name = type == DnsWire.TypeA ? "A" : "AAAA";
        if (_servers.Count == 0) return Fail(ResolveErrorKind.ServerFailure, "no name server configured");
        var start = _roundRobin ? Random.Shared.Next(_servers.Count) : 0;
        string? lastError = null;
        var lastKind = ResolveErrorKind.Timeout;
        for (var s = 0; s < _servers.Count; s++)
        {
            var server = _servers[(start + s) % _servers.Count];
            for (var attempt = 0; attempt < _tries; attempt++)
            {
                var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
                var query = DnsWire.Query(id, host, type);
                if (query is null) return Fail(ResolveErrorKind.Malformed, $"{name} {host}: not a valid name");
                DnsReply? reply;
                try
                {
                    reply = await UdpAsync(server, query, id, type, ct).ConfigureAwait(false);
                    if (reply is { Truncated: true }) reply = await TcpAsync(server, query, id, type, ct).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    lastKind = ResolveErrorKind.ServerFailure;
                    lastError = $"{name} {host}: {server}: {e.SocketErrorCode}";
                    break; // this server is unusable: the next one
                }
                if (reply is null)
                {
                    lastError = $"{name} {host}: no answer from {server}";
                    continue;
                }
                var r = reply.Value;
                switch (r.ResponseCode)
                {
                    case 0:
                        return r.Addresses.Count == 0
                            ? Fail(ResolveErrorKind.NotFound, $"{name} {host}: no {name} record")
                            : new DriverAnswer(new ResolveResult(r.Addresses, ResolveErrorKind.None), r.Ttl);
                    case 3:
                        return Fail(ResolveErrorKind.NotFound, $"{name} {host}: NXDOMAIN");
                    default:
                        // SERVFAIL, REFUSED, FORMERR...: as c-ares, try the next server.
                        lastKind = r.ResponseCode switch { 5 => ResolveErrorKind.Refused, 1 => ResolveErrorKind.Malformed, _ => ResolveErrorKind.ServerFailure };
                        lastError = $"{name} {host}: rcode {r.ResponseCode} from {server}";
                        attempt = _tries;
                        break;
                }
            }
        }
        return Fail(lastKind, lastError ?? $"{name} {host}: no answer from any server");
    }

    private Socket Bound(IPEndPoint server, SocketType socketType, ProtocolType protocol)
    {
        var socket = new Socket(server.AddressFamily, socketType, protocol);
        var bind = server.AddressFamily == AddressFamily.InterNetworkV6 ? _bindV6 : _bindV4;
        try
        {
            if (bind is not null) socket.Bind(new IPEndPoint(bind, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One UDP exchange; null on timeout. Replies with another id are dropped, as spoofing defence.</summary>
    private async Task<DnsReply?> UdpAsync(IPEndPoint server, byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        using var socket = Bound(server, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, ct).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, ct).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_eachTimeout);
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

    private async Task<DnsReply?> TcpAsync(IPEndPoint server, byte[] query, ushort id, ushort type, CancellationToken ct)
    {
        using var socket = Bound(server, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_eachTimeout);
        try
        {
            await socket.ConnectAsync(server, timeout.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var framed = new byte[2 + query.Length];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await stream.WriteAsync(framed, timeout.Token).ConfigureAwait(false);
            var len = new byte[2];
            await stream.ReadExactlyAsync(len, timeout.Token).ConfigureAwait(false);
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
            await stream.ReadExactlyAsync(body, timeout.Token).ConfigureAwait(false);
            var reply = DnsWire.Parse(body, type);
            return reply is { } r && r.Id == id ? r : null;
        }
        catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static DriverAnswer Fail(ResolveErrorKind kind, string reason) => new(ResolveResult.Fail(kind, reason), 0);
}
