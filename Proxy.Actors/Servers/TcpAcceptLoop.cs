using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Sockets;

namespace Proxy.Actors.Servers;

/// <summary>
/// A bound listening socket (one per g3 listen <c>instance</c>, sharing the port with
/// SO_REUSEPORT) and its accept loop, which hands each socket to a callback. No actor inside.
/// Every listener sets SO_REUSEPORT, one instance or many: a hot upgrade starts a second process
/// on the same ports while the first still accepts (docs/control.md).
/// </summary>
internal sealed class TcpAcceptLoop : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _cts = new();

    private TcpAcceptLoop(Socket socket) => _socket = socket;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Binds every instance; the first binds the requested port, the rest share what it got.</summary>
    public static IReadOnlyList<TcpAcceptLoop> Bind(TcpListenConfig listen)
    {
        var loops = new List<TcpAcceptLoop>();
        var endpoint = listen.Address;
        try
        {
            for (var i = 0; i < Math.Max(1, listen.Instance); i++)
            {
                var s = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    EnableReusePort(s);
                    if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = !listen.Ipv6Only;
                    if (listen.Transparent) EnableTransparent(s);
                    ListenerOptions(s, listen);
                    s.Bind(endpoint);
                    if (listen.Interface is { } device) Refused(() => SocketOptions.BindToDevice(s, device));
                    Refused(() => SocketOptions.ApplyKeepalive(s, listen.Keepalive));
                    s.Listen(listen.Backlog);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
                var loop = new TcpAcceptLoop(s);
                loops.Add(loop);
                endpoint = loop.LocalEndPoint;
            }
            return loops;
        }
        catch
        {
            foreach (var l in loops) l.Dispose();
            throw;
        }
    }

    /// <summary>
    /// IP_TRANSPARENT (and IPV6_TRANSPARENT): the listener accepts connections a TPROXY rule
    /// steered to it whatever their destination address, which stays the accepted socket's local address.
    /// </summary>
    private static void EnableTransparent(Socket s)
    {
        if (!OperatingSystem.IsLinux()) throw new SocketException((int)SocketError.OperationNotSupported);
        if (s.AddressFamily == AddressFamily.InterNetworkV6)
            s.SetRawSocketOption(41 /* SOL_IPV6 */, 75 /* IPV6_TRANSPARENT */, BitConverter.GetBytes(1));
        if (s.AddressFamily == AddressFamily.InterNetwork || s.DualMode)
            s.SetRawSocketOption(0 /* SOL_IP */, 19 /* IP_TRANSPARENT */, BitConverter.GetBytes(1));
    }

    /// <summary>g3's listen mark and mss go on before bind; accepted sockets inherit them.</summary>
    private static void ListenerOptions(Socket s, TcpListenConfig listen)
    {
        if (listen.NetfilterMark is { } mark) Refused(() => SocketOptions.SetMark(s, mark));
        if (listen.MaxSegmentSize is { } mss) Refused(() => SocketOptions.SetMaxSegmentSize(s, mss));
    }

    /// <summary>A listener option the kernel refused fails the bind like an address in use does, naming the option.</summary>
    private static void Refused(Action set)
    {
        try
        {
            set();
        }
        catch (IOException e)
        {
            throw new SocketException((int)SocketError.InvalidArgument, "listen." + e.Message);
        }
    }

    private static void EnableReusePort(Socket s)
    {
        // .NET has no SocketOptionName for SO_REUSEPORT (a cast value fails with "not supported"): set it raw.
        if (OperatingSystem.IsLinux()) s.SetRawSocketOption(1 /* SOL_SOCKET */, 15 /* SO_REUSEPORT */, BitConverter.GetBytes(1));
    }

    /// <param name="onFailed">Told of each failed accept (g3's listen.failed).</param>
    public async Task RunAsync(Action<Socket, long> onAccepted, Action? onFailed = null)
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset
                                              or SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Out of fds or the peer gave up in the backlog: keep accepting, don't spin.
                onFailed?.Invoke();
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                    await Task.Delay(50).ConfigureAwait(false);
                continue;
            }
            accepted.NoDelay = true;
            onAccepted(accepted, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _socket.Dispose();
        _cts.Dispose();
    }
}
