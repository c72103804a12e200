using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// An origin that answers any GET with <see cref="Body"/> at a slow, fixed pace (one slice per
/// <see cref="Pace"/>), so a download through the proxy is still running while a test acts.
/// </summary>
public sealed class ThrottledOrigin : IAsyncDisposable
{
    private const int Slice = 32 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _accepting;

    public ThrottledOrigin(byte[] body, TimeSpan pace)
    {
        Body = body;
        Pace = pace;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public byte[] Body { get; }
    public TimeSpan Pace { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_cts.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        try
        {
            var head = new StringBuilder();
            var buf = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n"))
            {
                var n = await stream.ReadAsync(buf, _cts.Token);
                if (n == 0) return;
                head.Append(Encoding.Latin1.GetString(buf, 0, n));
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n\r\n"), _cts.Token);
            for (var sent = 0; sent < Body.Length; sent += Slice)
            {
                await stream.WriteAsync(Body.AsMemory(sent, Math.Min(Slice, Body.Length - sent)), _cts.Token);
                await Task.Delay(Pace, _cts.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _listener.Stop();
        await _accepting;
        _cts.Dispose();
    }
}
