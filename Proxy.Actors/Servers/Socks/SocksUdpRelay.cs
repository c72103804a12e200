using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Escapers;
using Proxy.Actors.Logging;
using Proxy.Actors.Protocols;
using Proxy.Actors.Protocols.Socks;
using Proxy.Actors.Relay;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Users.Limits;

namespace Proxy.Actors.Servers.Socks;

/// <summary>
/// SOCKS5 UDP, both of g3's modes. After the reply names the client-facing UDP socket, the first
/// valid datagram (within udp_client_initial_timeout) fixes the client's address and, through the
/// escaper, opens the upstream relay. "UDP connect" (g3's default) pins the task to that first
/// target: datagrams for another target are dropped, replies carry the target as the client named
/// it. UDP ASSOCIATE (RFC 1928 section 7) takes any target per datagram and labels each reply
/// with its source. Fragments, oversize and malformed datagrams are dropped and counted. The task
/// ends when the TCP connection closes or sends anything, on idle, or when a socket fails.
/// </summary>
internal sealed class SocksUdpRelay
{
    private readonly SocksProxyRuntime _server;
    private readonly SocksCommandRequest _req;
    private readonly ConnectionScope _scope;
    private readonly TaskNotes _notes;
    private readonly bool _associate;
    private readonly int _packetSize;
    private IPEndPoint? _client;
    private UpstreamAddr? _pinned;

    private SocksUdpRelay(SocksProxyRuntime server, SocksCommandRequest req, ConnectionScope scope, TaskNotes notes, bool associate)
    {
        _server = server;
        _req = req;
        _scope = scope;
        _notes = notes;
        _associate = associate;
        _packetSize = server.Config.UdpRelayPacketSize;
    }

    private SocksUdpCounters Counters => _server.UdpCounters;

    public static Task RunAsync(SocksProxyRuntime server, SocksCommandRequest req, ConnectionScope scope, TaskNotes notes, bool associate) =>
        new SocksUdpRelay(server, req, scope, notes, associate).RunAsync();

    private async Task RunAsync()
    {
        var config = _server.Config;
        var control = _req.Transport;
        var expected = _req.Target.Ip is { } ip ? new IPEndPoint(SocksReplies.Plain(ip), _req.Target.Port) : null;
        _notes.Stage = "Preparing";
        // g3 checks the user's rate limits, request_max_alive and proxy_request_filter (socks_udp_associate, both modes) before the reply.
        if (UserTaskPolicy.Check(_req.User, ProxyRequestType.SocksUdpAssociate, null, null, out var alive, _notes, _server.Context.Stats) is { } refusal)
        {
            _notes.Reason = "ForbiddenByRule";
            _notes.Error = "user rules: " + refusal;
            await SocksReplies.SendAsync(control.Stream, SocksReplies.V5(Socks5ReplyCode.NotAllowedByRuleset), _notes.Bytes, _scope.Token).ConfigureAwait(false);
            return;
        }
        using var aliveSlot = alive;
        var (socket, error) = SocksUdpClientSocket.Bind(config, control.Facts, expected?.Address,
            ClientSocketOptions.Udp(config.UdpMiscOpts, _req.User?.User.Config));
        if (socket is null)
        {
            _notes.Reason = "InternalServerError";
            _notes.Error = error;
            await SocksReplies.SendAsync(control.Stream, SocksReplies.V5(Socks5ReplyCode.GeneralFailure), _notes.Bytes, _scope.Token).ConfigureAwait(false);
            return;
        }
        using var clientSocket = socket;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        _notes.Stage = "Replying";
        if (!await SocksReplies.SendAsync(control.Stream, SocksReplies.V5(Socks5ReplyCode.Succeeded, SocksUdpClientSocket.EchoAddr(config, local)), _notes.Bytes, _scope.Token).ConfigureAwait(false))
        {
            _notes.Reason = "ClientTcpWriteFailed";
            return;
        }

        _notes.Packets = new Stats.TaskPackets();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_scope.Token);
        var watch = WatchControlAsync(control.Stream, stop);
        try
        {
            await RelayAsync(clientSocket, expected, stop.Token).ConfigureAwait(false);
        }
        finally
        {
            stop.Cancel();
            var closedBy = await watch.ConfigureAwait(false);
            _notes.Reason = _scope.Lifetime.TimedOut ? "Idle" : closedBy ?? _notes.Reason ?? "Canceled";
            _notes.Stage = "Finished";
        }
    }

    /// <summary>The TCP connection only says when the task ends: its close, or any byte (g3: invalid protocol).</summary>
    private static async Task<string?> WatchControlAsync(Stream stream, CancellationTokenSource stop)
    {
        var one = new byte[1];
        string? reason;
        try
        {
            var n = await stream.ReadAsync(one, stop.Token).ConfigureAwait(false);
            reason = n == 0 ? "ClosedByClient" : "InvalidClientProtocol";
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e) when (IoErrors.IsExpected(e))
        {
            reason = "ClientTcpReadFailed";
        }
        stop.Cancel();
        return reason;
    }

    private async Task RelayAsync(Socket clientSocket, IPEndPoint? expected, CancellationToken ct)
    {
        var config = _server.Config;
        // Room for the largest header in front of the payload, and one byte more than the limit to see oversize.
        var north = new byte[Socks5UdpCodec.MaxHeaderLength + _packetSize + 1];
        var first = await ReceiveFirstAsync(clientSocket, north, expected, ct).ConfigureAwait(false);
        if (first is not { } datagram) return;

        _notes.Upstream = datagram.Target.ToString();
        if (IsForbidden(datagram.Target))
        {
            Counters.Refused();
            _notes.Reason = "ForbiddenByRule";
            return;
        }
        _notes.Stage = "Connecting";
        var escape = await ServerEscape.EscapeAsync(_server.Context,
            new EscapeRequest(_notes, datagram.Target, EscapeWant.Udp) { UdpSocketBuffer = config.UdpSocketBuffer }.ForUser(_req.User?.User), ct).ConfigureAwait(false);
        if (!escape.Ok) return;
        await using var upstream = escape.Udp!;
        _notes.Stage = "Relaying";
        _notes.ReadyTime = _server.Context.Time.GetElapsedTime(_notes.CreatedTimestamp);
        _pinned = _associate ? null : datagram.Target;

        // The stricter of the server's and the user's udp_sock_speed_limit, then the user's all-task buckets.
        var limit = config.UdpSockSpeedLimit;
        var user = _req.User?.User;
        var userLimit = user?.UdpSockSpeedLimit ?? UdpSockSpeedLimit.Unlimited;
        var time = _server.Context.Time;
        var northLimits = new Limits(SpeedLimiter.North(limit.Bytes, userLimit.Bytes, time), SpeedLimiter.North(limit.Packets, userLimit.Packets, time), user?.UdpAllUpload, time);
        var southLimits = new Limits(SpeedLimiter.South(limit.Bytes, userLimit.Bytes, time), SpeedLimiter.South(limit.Packets, userLimit.Packets, time), user?.UdpAllDownload, time);

        using var relayStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = Guard(ClientToRemoteAsync(clientSocket, upstream, north, datagram, northLimits, relayStop.Token), relayStop, "ClientUdpRecvFailed");
        var down = Guard(RemoteToClientAsync(clientSocket, upstream, _pinned?.Ip is not null ? escape.PeerAddr : null, southLimits, relayStop.Token), relayStop, "UpstreamReadFailed");
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    /// <summary>Runs one direction; a socket failure ends both with a reason, cancellation ends quietly.</summary>
    private async Task Guard(Task direction, CancellationTokenSource stop, string reason)
    {
        try
        {
            await direction.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _notes.Reason ??= reason;
            _notes.Error = e.Message;
            stop.Cancel();
        }
    }

    private readonly record struct Datagram(int Offset, int Length, UpstreamAddr Target);

    private readonly record struct Limits(SpeedLimiter? Bytes, SpeedLimiter? Packets, GlobalDatagramLimiter? Shared, TimeProvider Time)
    {
        public async ValueTask TakeAsync(int bytes, CancellationToken ct)
        {
            if (Bytes is not null) await Bytes.ThrottleAsync(bytes, ct).ConfigureAwait(false);
            if (Packets is not null) await Packets.ThrottleAsync(1, ct).ConfigureAwait(false);
            if (Shared is null) return;
            // a datagram passes whole: wait for the bucket's next replenish while it is spent
            while (!Shared.TryConsume(bytes, out var wait))
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), Time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>g3's per-target check: the user's dst_port/host rules, then the server's.</summary>
    private bool IsForbidden(UpstreamAddr target) =>
        _req.User?.User.CheckUpstream(target).IsForbidden() == true || TargetPolicy.IsForbidden(_server.Config, target);

    /// <summary>The first valid datagram from the client within udp_client_initial_timeout; null (with the reason noted) otherwise.</summary>
    private async Task<Datagram?> ReceiveFirstAsync(Socket socket, byte[] buffer, IPEndPoint? expected, CancellationToken ct)
    {
        using var limit = new CancellationTokenSource(_server.Config.UdpClientInitialTimeout, _server.Context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        var any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (true)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                _notes.Reason = "ClientAppTimeout";
                _notes.Error = "no UDP datagram within udp_client_initial_timeout";
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                Counters.Oversize();
                continue;
            }
            var from = Plain((IPEndPoint)r.RemoteEndPoint);
            // RFC 1928: DST.ADDR/PORT of the request say where the client will send from, when it knows.
            if (expected is not null && !IsUnspecified(expected.Address) && !expected.Address.Equals(from.Address))
            {
                Counters.Invalid();
                continue;
            }
            if (_server.Config.IngressNetworkFilter is { } ingress && ingress.Check(from.Address).IsForbidden())
            {
                Counters.Refused();
                continue;
            }
            if (Parse(buffer.AsMemory(0, r.ReceivedBytes)) is not { } datagram) continue;
            _client = from;
            _notes.Bytes.ClientRead += r.ReceivedBytes;
            _notes.Packets!.ClientRead++;
            return datagram;
        }
    }

    /// <summary>A datagram's header and payload bounds, or null after counting why it is dropped.</summary>
    private Datagram? Parse(ReadOnlyMemory<byte> datagram)
    {
        var header = Socks5UdpCodec.Parse(datagram);
        if (!header.IsDone)
        {
            Counters.Invalid();
            return null;
        }
        if (header.Value!.IsFragment)
        {
            Counters.Fragment();
            return null;
        }
        var offset = (int)header.Consumed;
        var length = datagram.Length - offset;
        if (length > _packetSize)
        {
            Counters.Oversize();
            return null;
        }
        return new Datagram(offset, length, header.Value.Target);
    }

    private async Task ClientToRemoteAsync(Socket socket, IUdpUpstream upstream, byte[] buffer, Datagram first, Limits limits, CancellationToken ct)
    {
        var client = _client!;
        var any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        var pending = (Datagram?)first;
        while (true)
        {
            var datagram = pending;
            pending = null;
            if (datagram is null)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
                {
                    if (e.SocketErrorCode == SocketError.MessageSize) Counters.Oversize();
                    continue;
                }
                if (!Plain((IPEndPoint)r.RemoteEndPoint).Equals(client))
                {
                    Counters.Invalid();
                    continue;
                }
                _notes.Bytes.ClientRead += r.ReceivedBytes;
                _notes.Packets!.ClientRead++;
                datagram = Parse(buffer.AsMemory(0, r.ReceivedBytes));
                if (datagram is null) continue;
            }
            var d = datagram.Value;
            if (_pinned is not null && !_pinned.Equals(d.Target))
            {
                Counters.Invalid();
                continue;
            }
            if (_pinned is null && IsForbidden(d.Target))
            {
                Counters.Refused();
                continue;
            }
            await limits.TakeAsync(d.Length, ct).ConfigureAwait(false);
            var sent = await upstream.SendToAsync(d.Target, buffer.AsMemory(d.Offset, d.Length), ct).ConfigureAwait(false);
            if (!sent.Ok)
            {
                Counters.Refused();
                continue;
            }
            _notes.Bytes.RemoteWritten += d.Length;
            _notes.Packets!.RemoteWritten++;
            _scope.Lifetime.Touch();
        }
    }

    private async Task RemoteToClientAsync(Socket socket, IUdpUpstream upstream, IPEndPoint? peer, Limits limits, CancellationToken ct)
    {
        var client = _client!;
        var buffer = new byte[Socks5UdpCodec.MaxHeaderLength + _packetSize + 1];
        var payloadAt = Socks5UdpCodec.MaxHeaderLength;
        var mapped = socket.AddressFamily == AddressFamily.InterNetworkV6 && client.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(client.Address.MapToIPv6(), client.Port)
            : client;
        while (true)
        {
            var r = await upstream.ReceiveAsync(buffer.AsMemory(payloadAt), ct).ConfigureAwait(false);
            if (r.Truncated || r.Count > _packetSize)
            {
                Counters.Oversize();
                continue;
            }
            // A UDP-connect task to an IP hears only from that peer (a domain's address may vary per send).
            if (_pinned is not null && peer is not null && !r.From.Equals(peer))
            {
                Counters.Invalid();
                continue;
            }
            _notes.Bytes.RemoteRead += r.Count;
            _notes.Packets!.RemoteRead++;
            var source = _pinned ?? new UpstreamAddr(r.From.Address.ToString(), r.From.Port);
            var headerLength = Socks5UdpCodec.HeaderLength(source);
            var start = payloadAt - headerLength;
            Socks5UdpCodec.WriteHeader(buffer.AsSpan(start), source);
            await limits.TakeAsync(r.Count, ct).ConfigureAwait(false);
            var total = headerLength + r.Count;
            await socket.SendToAsync(buffer.AsMemory(start, total), SocketFlags.None, mapped, ct).ConfigureAwait(false);
            _notes.Bytes.ClientWritten += total;
            _notes.Packets!.ClientWritten++;
            _scope.Lifetime.Touch();
        }
    }

    private static IPEndPoint Plain(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;

    private static bool IsUnspecified(IPAddress ip) => ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);
}
