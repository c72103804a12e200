using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Direct;

/// <summary>
/// direct_fixed's UDP relay: one unconnected socket (dual-stack unless bind_ip or no_ipv6 says
/// otherwise) that sends to any target after resolving it through the escaper's resolver and
/// checking resolve_strategy, no_ipv4/no_ipv6 and egress_network_filter, per datagram.
/// </summary>
internal sealed class DirectUdpUpstream : IUdpUpstream
{
    private readonly DirectFixedEscaperConfig _config;
    private readonly HandleRegistry<IResolver> _resolvers;
    private readonly Socket _socket;
    private readonly bool _dualMode;
    private readonly EndPoint _anyRemote;

    private DirectUdpUpstream(DirectFixedEscaperConfig config, HandleRegistry<IResolver> resolvers, Socket socket, bool dualMode)
    {
        _config = config;
        _resolvers = resolvers;
        _socket = socket;
        _dualMode = dualMode;
        _anyRemote = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        BoundAddr = socket.LocalEndPoint as IPEndPoint;
    }

    public IPEndPoint? BoundAddr { get; }

    /// <summary>Binds the socket: to <paramref name="bindIp"/> (one of bind_ip) when set, else to the wildcard of the families allowed.</summary>
    /// <param name="misc">udp_misc_opts with the task's user's udp_remote_misc_opts over them.</param>
    public static DirectUdpUpstream Open(DirectFixedEscaperConfig config, HandleRegistry<IResolver> resolvers, SocketBufferConfig? buffers, IPAddress? bindIp, UdpMiscSockOpts misc)
    {
        Socket socket;
        var dual = false;
        if (bindIp is not null)
        {
            socket = new Socket(bindIp.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(bindIp, 0));
        }
        else if (!config.NoIpv6 && Socket.OSSupportsIPv6)
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            dual = !config.NoIpv4;
            socket.DualMode = dual;
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        }
        else
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        }
        try
        {
            buffers?.ApplyTo(socket);
            Sockets.SocketOptions.ApplyUdp(socket, misc);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            socket.Dispose();
            throw;
        }
        return new DirectUdpUpstream(config, resolvers, socket, dual);
    }

    public async ValueTask<UdpSendResult> SendToAsync(UpstreamAddr target, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var (ip, failure) = await ResolveAsync(target, ct).ConfigureAwait(false);
        if (ip is null) return failure;
        var peer = new IPEndPoint(_dualMode && ip.AddressFamily == AddressFamily.InterNetwork ? ip.MapToIPv6() : ip, target.Port);
        try
        {
            await _socket.SendToAsync(payload, SocketFlags.None, peer, ct).ConfigureAwait(false);
            return UdpSendResult.Sent;
        }
        catch (SocketException e)
        {
            var kind = e.SocketErrorCode is SocketError.NetworkUnreachable or SocketError.HostUnreachable
                ? EscapeErrorKind.NetworkUnreachable
                : EscapeErrorKind.ConnectFailed;
            return new UdpSendResult(kind, $"send to {peer}: {e.SocketErrorCode}");
        }
    }

    public async ValueTask<UdpReceived> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        while (true)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, _anyRemote, ct).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                return new UdpReceived(buffer.Length, (IPEndPoint)_anyRemote, Truncated: true);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // An ICMP port-unreachable for an earlier send: not this socket's end.
                continue;
            }
            var from = (IPEndPoint)r.RemoteEndPoint;
            if (from.Address.IsIPv4MappedToIPv6) from = new IPEndPoint(from.Address.MapToIPv4(), from.Port);
            return new UdpReceived(r.ReceivedBytes, from, Truncated: false);
        }
    }

    /// <summary>The address a target's datagrams go to, or why there is none.</summary>
    internal async ValueTask<(IPAddress? Ip, UdpSendResult Failure)> ResolveAsync(UpstreamAddr target, CancellationToken ct)
    {
        if (target.Ip is { } literal)
        {
            if (literal.IsIPv4MappedToIPv6) literal = literal.MapToIPv4();
            return Permitted(literal) is { } reason
                ? (null, new UdpSendResult(EscapeErrorKind.ForbiddenByRule, reason))
                : (literal, UdpSendResult.Sent);
        }
        var resolver = _resolvers.Get(_config.Resolver);
        string? lastForbidden = null;
        ResolveResult? lastFailure = null;
        foreach (var family in Families())
        {
            var result = await resolver.ResolveAsync(target.Host, family, ct).ConfigureAwait(false);
            if (!result.Ok)
            {
                lastFailure = result;
                continue;
            }
            foreach (var ip in result.Addresses)
            {
                if (Permitted(ip) is not { } reason) return (ip, UdpSendResult.Sent);
                lastForbidden = reason;
            }
        }
        if (lastForbidden is not null) return (null, new UdpSendResult(EscapeErrorKind.ForbiddenByRule, lastForbidden));
        return (null, new UdpSendResult(EscapeErrorKind.ResolveFailed,
            $"resolve {target.Host} via '{resolver.Name}': {lastFailure?.Reason ?? lastFailure?.Error.ToString() ?? "no usable family"}"));
    }

    /// <summary>The families to look up, preferred first, as resolve_strategy and no_ipv4/no_ipv6 allow.</summary>
    private IEnumerable<AddressFamily> Families()
    {
        var query = _config.ResolveStrategy.Query;
        var v4 = !_config.NoIpv4 && query != ResolveQuery.Ipv6Only && CanSend(AddressFamily.InterNetwork);
        var v6 = !_config.NoIpv6 && query != ResolveQuery.Ipv4Only && CanSend(AddressFamily.InterNetworkV6);
        if (query == ResolveQuery.Ipv6First)
        {
            if (v6) yield return AddressFamily.InterNetworkV6;
            if (v4) yield return AddressFamily.InterNetwork;
        }
        else
        {
            if (v4) yield return AddressFamily.InterNetwork;
            if (v6) yield return AddressFamily.InterNetworkV6;
        }
    }

    private bool CanSend(AddressFamily family) =>
        _socket.AddressFamily == family || (_dualMode && family == AddressFamily.InterNetwork);

    private string? Permitted(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetwork && _config.NoIpv4) return $"{ip}: no_ipv4 is set";
        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && _config.NoIpv6) return $"{ip}: no_ipv6 is set";
        if (!CanSend(ip.AddressFamily)) return $"{ip}: no bind address of its family";
        if (_config.EgressNetworkFilter.Check(ip).IsForbidden()) return $"{ip}: forbidden by egress_network_filter";
        return null;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
