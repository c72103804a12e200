using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Tests.Integration;

/// <summary>
/// A minimal FTP server on 127.0.0.1 for the cases vsftpd cannot play: a chosen greeting, no EPSV
/// (PASV only), a LIST of many lines. Every command it hears is recorded.
/// </summary>
internal sealed class ScriptedFtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly string _greeting;
    private readonly string[] _listing;

    public ScriptedFtpServer(string greeting = "220 scripted", string[]? listing = null)
    {
        _greeting = greeting;
        _listing = listing ?? [];
        _listener.Start();
        _loop = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public System.Collections.Concurrent.ConcurrentQueue<string> Commands { get; } = new();

    private async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptSocketAsync(_cts.Token); }
            catch (Exception) { return; }
            _ = ServeAsync(s);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        async Task Say(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _cts.Token);
        TcpListener? data = null;
        try
        {
            await Say(_greeting);
            if (!_greeting.StartsWith("220", StringComparison.Ordinal)) return;
            while (await reader.ReadLineAsync(_cts.Token) is { } line)
            {
                Commands.Enqueue(line);
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "FEAT": await Say("211-Features:\r\n SIZE\r\n PASV\r\n211 End"); break;
                    case "USER": await Say("331 password please"); break;
                    case "PASS": await Say("230 in"); break;
                    case "SIZE": await Say("550 not a file"); break;
                    case "TYPE": await Say("200 ok"); break;
                    case "EPSV": await Say("500 EPSV not understood"); break;
                    case "PASV":
                        data?.Stop();
                        data = new TcpListener(IPAddress.Loopback, 0);
                        data.Start();
                        var p = ((IPEndPoint)data.LocalEndpoint).Port;
                        await Say($"227 Entering Passive Mode (127,0,0,1,{p / 256},{p % 256}).");
                        break;
                    case "LIST" when data is not null:
                        using (var conn = await data.AcceptSocketAsync(_cts.Token))
                        {
                            await Say("150 here it comes");
                            foreach (var l in _listing) await conn.SendAsync(Encoding.ASCII.GetBytes(l + "\r\n"), _cts.Token);
                            conn.Shutdown(SocketShutdown.Both);
                        }
                        await Say("226 done");
                        break;
                    case "QUIT": await Say("221 bye"); return;
                    default: await Say("502 not here"); break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
        finally
        {
            data?.Stop();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _cts.Dispose();
    }
}
