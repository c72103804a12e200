using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Proxy.Tests.Escapers.Proxy;

/// <summary>What a scripted next proxy does with one request head.</summary>
internal enum ProxyAct
{
    /// <summary>Send <see cref="ScriptedProxy.Reply"/> and then tunnel to the CONNECT target for real.</summary>
    Tunnel,
    /// <summary>Send the reply and echo whatever comes next.</summary>
    Echo,
    /// <summary>Send the reply and read the next head on the same connection (HTTP forwarding, keep-alive).</summary>
    Answer,
    /// <summary>Say nothing and hold the connection (a proxy that never answers).</summary>
    Silent,
}

/// <summary>
/// A next-hop proxy on 127.0.0.1:0 (TLS when given a certificate) that records every request head
/// as it arrived (a PROXY header in front included) and answers as scripted.
/// </summary>
internal sealed class ScriptedProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly X509Certificate2? _certificate;
    private readonly Task _loop;
    private int _accepted;

    public ScriptedProxy(ProxyAct act, string reply = "HTTP/1.1 200 Connection established\r\n\r\n", X509Certificate2? certificate = null)
    {
        Act = act;
        Reply = reply;
        _certificate = certificate;
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public ProxyAct Act { get; }
    public string Reply { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepted => Volatile.Read(ref _accepted);
    /// <summary>Each head as received, Latin-1, up to and including its blank line.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

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

    private async Task ServeAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(_certificate);
                stream = ssl;
            }
            do
            {
                var head = await ReadHeadAsync(stream);
                if (head is null) return;
                Heads.Enqueue(head);
                if (Act == ProxyAct.Silent)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                await stream.WriteAsync(Encoding.Latin1.GetBytes(Reply), _stop.Token);
            }
            while (Act == ProxyAct.Answer);
            if (Act == ProxyAct.Echo) await stream.CopyToAsync(stream, _stop.Token);
            if (Act == ProxyAct.Tunnel) await TunnelAsync(stream, Heads.Last());
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                                       or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private async Task TunnelAsync(Stream client, string head)
    {
        var line = head[head.IndexOf("CONNECT ", StringComparison.Ordinal)..].Split(' ')[1];
        var colon = line.LastIndexOf(':');
        using var target = new TcpClient();
        await target.ConnectAsync(line[..colon].Trim('[', ']'), int.Parse(line[(colon + 1)..]), _stop.Token);
        var up = target.GetStream();
        var a = client.CopyToAsync(up, _stop.Token);
        var b = up.CopyToAsync(client, _stop.Token);
        await Task.WhenAny(a, b);
    }

    /// <summary>Reads one byte at a time so nothing after the head is consumed.</summary>
    private async Task<string?> ReadHeadAsync(Stream stream)
    {
        var seen = new StringBuilder();
        var one = new byte[1];
        // A PROXY v2 signature starts with a blank line itself: a head is more than that.
        while (seen.Length <= 4 || !seen.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (seen.Length > 64 * 1024) return null;
            if (await stream.ReadAsync(one, _stop.Token) == 0) return null;
            seen.Append((char)one[0]);
        }
        return seen.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
    }
}
