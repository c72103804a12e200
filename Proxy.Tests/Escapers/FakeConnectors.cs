using System.Net;
using System.Net.Sockets;
using Proxy.Actors.Escapers.Direct;

namespace Proxy.Tests.Escapers;

/// <summary>A connect that never completes until cancelled (a blackholed SYN).</summary>
internal sealed class HangingConnector : ISocketConnector
{
    private int _calls;
    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        await Task.Delay(Timeout.Infinite, ct);
        throw new InvalidOperationException("unreachable");
    }
}

/// <summary>A connect that fails at once with the given socket error.</summary>
internal sealed class FailingConnector(SocketError error) : ISocketConnector
{
    public ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct) =>
        ValueTask.FromException<Socket>(new SocketException((int)error));
}

/// <summary>Records what was asked, then connects for real (loopback only in tests).</summary>
internal sealed class RecordingConnector : ISocketConnector
{
    public List<(IPEndPoint Target, IPAddress? Bind)> Calls { get; } = [];

    public ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? bindIp, CancellationToken ct)
    {
        lock (Calls) Calls.Add((target, bindIp));
        return SocketConnector.Instance.ConnectAsync(target, bindIp, ct);
    }
}
