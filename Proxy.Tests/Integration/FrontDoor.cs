using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// A TCP relay on 127.0.0.1:0 in front of another listener (a node under test): counts the
/// connections it accepts and keeps what clients sent (Latin-1, bounded), so a test can check
/// what arrived at the node behind it. With a certificate it terminates TLS first, standing in
/// for a TLS listener the node behind does not have.
/// </summary>
public sealed class FrontDoor : IAsyncDisposable
{
    private const int MaxKept = 1 << 20;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly IPEndPoint _behind;
    private readonly X509Certificate2? _certificate;
    private readonly StringBuilder _sent = new();
    private readonly Task _loop;
    private int _accepted;

    public FrontDoor(IPEndPoint behind, X509Certificate2? certificate = null)
    {
        _behind = behind;
        _certificate = certificate;
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Everything clients sent so far.</summary>
    public string Sent
    {
        get { lock (_sent) return _sent.ToString(); }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref _accepted);
            _ = RelayAsync(s);
        }
    }

    private async Task RelayAsync(Socket socket)
    {
        Stream client = new NetworkStream(socket, ownsSocket: true);
        using var behind = new TcpClient();
        try
        {
            if (_certificate is not null)
            {
                var ssl = new SslStream(client);
                await ssl.AuthenticateAsServerAsync(_certificate);
                client = ssl;
            }
            await behind.ConnectAsync(_behind, _stop.Token);
            var up = behind.GetStream();
            var toBehind = CopyKeepingAsync(client, up);
            var toClient = up.CopyToAsync(client, _stop.Token);
            await Task.WhenAny(toBehind, toClient);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                                       or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            await client.DisposeAsync();
        }
    }

    private async Task CopyKeepingAsync(Stream from, Stream to)
    {
        var buf = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReadAsync(buf, _stop.Token);
            if (n == 0) return;
            lock (_sent)
                if (_sent.Length < MaxKept) _sent.Append(Encoding.Latin1.GetString(buf, 0, n));
            await to.WriteAsync(buf.AsMemory(0, n), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
    }
}
