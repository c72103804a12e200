using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Values;

namespace Proxy.Actors.Stats;

/// <summary>
/// The datagram socket StatsD lines leave by: UDP (to <c>target_udp</c>, from <c>bind_ip</c>) or a
/// unix datagram socket (<c>target_unix</c>). Non-blocking: a full socket buffer or an absent
/// receiver loses that datagram (counted), never stalls the stats actor.
/// </summary>
internal sealed class StatsdSender : IDisposable
{
    private readonly Socket _socket;
    private readonly EndPoint _target;
    private long _failed;

    private StatsdSender(Socket socket, EndPoint target)
    {
        _socket = socket;
        _target = target;
        _socket.Blocking = false;
    }

    /// <summary>g3's default segment: 1400 bytes for UDP, 4096 for a unix socket.</summary>
    public int DefaultSegmentSize => _target is UnixDomainSocketEndPoint ? 4096 : 1400;

    public long Failed => Interlocked.Read(ref _failed);

    public static StatsdSender Open(StatConfig config)
    {
        if (config.TargetUnix is { } path && config.TargetUdp is null)
            return new StatsdSender(new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path));
        var target = IPEndPoint.Parse(config.TargetUdp ?? "127.0.0.1:8125");
        var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (config.TargetUdpBindIp is { } bind) socket.Bind(new IPEndPoint(bind, 0));
        return new StatsdSender(socket, target);
    }

    public void Send(ReadOnlyMemory<byte> datagram)
    {
        try
        {
            _socket.SendTo(datagram.Span, SocketFlags.None, _target);
        }
        catch (SocketException)
        {
            // No receiver yet (ECONNREFUSED, ENOENT), or its buffer is full (EAGAIN): metrics
            // are periodic, the next emit carries the counts on.
            Interlocked.Increment(ref _failed);
        }
    }

    public void Dispose() => _socket.Dispose();
}
