using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// A raw TCP "origin" on 127.0.0.1:0 that misbehaves on purpose: it reads the request head,
/// then answers with <see cref="Reply"/> (nothing when null) and closes. Counts what it saw.
/// </summary>
public sealed class ScriptedOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _accepted;
    private int _heads;

    public ScriptedOrigin(byte[]? reply)
    {
        Reply = reply;
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public byte[]? Reply { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepted => Volatile.Read(ref _accepted);
    /// <summary>Request heads read to their blank line before answering.</summary>
    public int Heads => Volatile.Read(ref _heads);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref _accepted);
            _ = ServeAsync(s);
        }
    }

    private async Task ServeAsync(Socket s)
    {
        using var stream = new NetworkStream(s, ownsSocket: true);
        try
        {
            var seen = new StringBuilder();
            var buf = new byte[4096];
            while (!seen.ToString().Contains("\r\n\r\n"))
            {
                var n = await stream.ReadAsync(buf, _stop.Token);
                if (n == 0) return;
                seen.Append(Encoding.Latin1.GetString(buf, 0, n));
            }
            Interlocked.Increment(ref _heads);
            if (Reply is not null) await stream.WriteAsync(Reply, _stop.Token);
            s.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            // The proxy went away or test teardown.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
